package io.leakedproducer.testdata.webhookdispatcher;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TransferQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The dispatcher fixed with consumers that never stop early: a sender records any failure of the
 * endpoint and goes on to the next event, and leaves only at its end-of-stream marker, so every
 * {@code transfer} finds a taker and the feeder always finishes.
 */
public final class WebhookDispatcherFixed {
  private WebhookDispatcherFixed() {}

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
                        delivered.incrementAndGet();
                      } catch (IOException | RuntimeException e) {
                        failed.incrementAndGet(); // dead-lettered; keep draining the outbox
                      }
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
    feeding.join();
    return delivered.get();
  }
}
