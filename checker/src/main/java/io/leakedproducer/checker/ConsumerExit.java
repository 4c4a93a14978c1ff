package io.leakedproducer.checker;

/**
 * One way a consumer can stop taking: the source line where it leaves its take loop and, in words
 * for the finding's message, why.
 */
record ConsumerExit(int line, String reason) {}
