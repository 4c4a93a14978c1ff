package io.leakedproducer.testdata.webhookdispatcher;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TransferQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Delivers events to a webhook: a feeder thread hands each event directly to a sender thread with
 * {@code transfer} (so that no event sits in memory unowned), and each sender gives up as soon as
 * the endpoint fails. With the endpoint down, every sender returns, and the feeder waits in {@code
 * transfer} for a taker that never comes, although the queue itself is unbounded.
 */
public final class WebhookDispatcherLeaky {
  private WebhookDispatcherLeaky() {}

  /** Delivers the events with {@code senders} threads; returns how many were delivered. */
  public static int dispatch(List<String> events, Endpoint endpoint, int senders) throws InterruptedException {
    TransferQueue<String> outbox = new LinkedTransferQueue<>();
    AtomicInteger delivered = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Thread feeding =
        new Thread(
            () -> {
              try {
                for (String event : events) {
                  outbox.transfer(event);
                }
                for (int w = 0; w < senders; w++) {
                  outbox.transfer("");
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "webhook-feed");
    feeding.start();

    List<Thread> sending = new ArrayList<>();
    for (int w = 0; w < senders; w++) {
      Thread sender =
          new Thread(
              new Runnable() {
                @Override
                public void run() {
                  try {
                    while (true) {
                      String event = outbox.take();
                      if (event.isEmpty()) {
                        return;
                      }
                      try {
                        endpoint.post(event);
                      } catch (IOException e) {
                        failed.incrementAndGet();
                        return; // the subscriber is down: stop hammering it
                      }
                      delivered.incrementAndGet();
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              },
              "webhook-sender-" + w);
      sender.start();
      sending.add(sender);
    }
    for (Thread sender : sending) {
      sender.join();
    }
    return delivered.get();
  }
}
