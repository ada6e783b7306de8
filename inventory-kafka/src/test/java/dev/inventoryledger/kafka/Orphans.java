package dev.inventoryledger.kafka;

/** For the child JVMs the tests start: a test never writes to a child's standard input, so its end means the test's JVM is gone. */
final class Orphans {
    private Orphans() {
    }

    /** Halts this JVM with {@code status} once its standard input closes, so that a broken test leaves nothing running. */
    static void exitWhenTheTestIsGone(int status) {
        Thread watch = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the test never writes; EOF means its JVM is gone
                }
            } catch (java.io.IOException gone) {
                // same as EOF
            }
            System.out.println("stdin closed: the test is gone, exiting");
            Runtime.getRuntime().halt(status);
        }, "orphan-watch");
        watch.setDaemon(true);
        watch.start();
    }
}
