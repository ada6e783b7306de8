package dev.inventoryledger.core;

import dev.inventoryledger.core.testkit.Together;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The stress tests' harness ({@link Together}) fails a test when a worker fails or hangs, never passes it. */
class TogetherTest {

    @Test
    void aWorkersFailureIsRethrownAndTheOthersAreToldToStop() {
        AtomicBoolean stop = new AtomicBoolean();
        Together.Worker failing = () -> {
            throw new IllegalStateException("sold a unit twice");
        };
        Together.Worker untilStopped = () -> {
            while (!stop.get()) {
                Thread.onSpinWait();
            }
        };

        Throwable thrown = catchThrowable(() -> Together.run("pair", 60, List.of(untilStopped, failing),
                () -> stop.set(true)));

        assertThat(thrown).isInstanceOf(IllegalStateException.class).hasMessage("sold a unit twice");
        assertThat(stop).isTrue();
    }

    @Test
    void aWorkerStillRunningAfterTheBoundFailsWithTheStacksInsteadOfHanging() {
        CountDownLatch never = new CountDownLatch(1);

        Throwable thrown = catchThrowable(() -> Together.run("stuck", 1, List.of(never::await)));

        assertThat(thrown).isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("stuck: threads still running after 1 s (deadlock or livelock)")
                .hasMessageContaining("\"stuck-0\"");
    }
}
