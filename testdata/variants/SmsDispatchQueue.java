package eval.cases;

import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SMS dispatcher: the API thread queues messages at the tail, one dispatcher thread sends them.
 * A message the gateway throttles goes back to the head of the same bounded deque so it keeps its
 * place. When the API has filled the deque meanwhile, the dispatcher blocks in putFirst on its own
 * deque, and with it every client in submit().
 */
public final class SmsDispatchQueue {
  record OutboundSms(String to, String text, int attempt) {
    OutboundSms retried() {
      return new OutboundSms(to, text, attempt + 1);
    }
  }

  /** Stands in for the SMS provider: it answers 429 until its rate window opens. */
  static final class SmsGateway {
    private final long openAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    private final AtomicInteger accepted = new AtomicInteger();

    boolean trySend(OutboundSms sms) throws InterruptedException {
      Thread.sleep(50); // provider round trip
      if (System.nanoTime() < openAt) {
        return false;
      }
      accepted.incrementAndGet();
      return true;
    }
  }

  private final BlockingDeque<OutboundSms> jobs = new LinkedBlockingDeque<>(8);
  private final SmsGateway gateway = new SmsGateway();
  private final Thread dispatcher = new Thread(this::dispatchLoop, "sms-dispatcher");

  SmsDispatchQueue() {
    dispatcher.setDaemon(true);
  }

  void start() {
    dispatcher.start();
  }

  void submit(String to, String text) throws InterruptedException {
    jobs.putLast(new OutboundSms(to, text, 0)); // LEAK
  }

  private void dispatchLoop() {
    try {
      while (true) {
        OutboundSms sms = jobs.takeFirst();
        if (!gateway.trySend(sms)) {
          requeue(sms.retried());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void requeue(OutboundSms sms) throws InterruptedException {
    jobs.putFirst(sms); // LEAK
  }

  public static void main(String[] args) throws Exception {
    SmsDispatchQueue sms = new SmsDispatchQueue();
    sms.start();
    Thread api = new Thread(() -> {
      try {
        for (int i = 0; i < 20; i++) {
          sms.submit("+4915112345" + String.format("%03d", i), "Your code is " + (1000 + i));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "sms-api");
    api.setDaemon(true);
    api.start();
    api.join(800);
    System.out.println("api done: " + !api.isAlive() + ", queued " + sms.jobs.size());
  }
}
