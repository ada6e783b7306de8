/**
 * The Kafka adapter's machinery. Not API. One sub-package per concept, so that each is found in one room:
 * {@link dev.inventoryledger.kafka.internal.feed} (the replica's poll cycle and its services),
 * {@link dev.inventoryledger.kafka.internal.publish} (the publisher's queue)
 * and {@link dev.inventoryledger.kafka.internal.cluster} (owners, requests, answers, fencing). What they all
 * use stands here: {@link dev.inventoryledger.kafka.internal.KafkaClients} (every client's properties),
 * {@link dev.inventoryledger.kafka.internal.EventCodec} (the JSON) and
 * {@link dev.inventoryledger.kafka.internal.TopicCheck} (topics exist, partition counts).
 */
package dev.inventoryledger.kafka.internal;
