package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;

/**
 * The values every consumer-side decision about one queue and its producer needs, passed as one
 * parameter instead of five.
 *
 * @param queue the queue's aliases
 * @param producer the producer whose insertion is being judged
 * @param index the compilation unit's index
 * @param death which exceptions can kill a consumer ({@code -XepOpt:LeakedProducer:ConsumerDeath})
 * @param state Error Prone's state for the unit
 */
record QueueContext(
    QueueAliases queue,
    ProducerDiscovery.Producer producer,
    CompilationUnitIndex index,
    ConsumerDeath death,
    VisitorState state) {}
