package eval.cases;

import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fixed payment import: a stage that ends without reaching the end marker raises the shared
 * failed flag in its finally, and every hand-over is a timed offer that gives up once the flag is
 * up. A posting stage that dies now unwinds the parser and the reader.
 */
public final class PaymentImportPipelineFixed {
  record Payment(String iban, BigDecimal amount, String currency) {}

  static final class RateTable {
    private final Map<String, BigDecimal> toEur =
        Map.of("EUR", BigDecimal.ONE, "USD", new BigDecimal("0.92"), "GBP", new BigDecimal("1.17"));

    BigDecimal toEur(BigDecimal amount, String currency) {
      BigDecimal rate = toEur.get(currency);
      if (rate == null) {
        throw new IllegalArgumentException("no rate for currency " + currency);
      }
      return amount.multiply(rate);
    }
  }

  static final class Ledger {
    private final RateTable rates = new RateTable();
    private final AtomicInteger posted = new AtomicInteger();
    private BigDecimal balance = BigDecimal.ZERO;

    void post(Payment p) {
      balance = balance.add(rates.toEur(p.amount(), p.currency()));
      posted.incrementAndGet();
    }
  }

  private final BlockingQueue<String> rawLines = new ArrayBlockingQueue<>(4);
  private final BlockingQueue<Payment> parsed = new ArrayBlockingQueue<>(4);
  private final AtomicBoolean failed = new AtomicBoolean();
  private final Ledger ledger = new Ledger();
  private final ForkJoinPool stages = new ForkJoinPool(3);

  void run(int lineCount) {
    stages.execute(() -> readLines(lineCount));
    stages.execute(this::parseLines);
    stages.execute(this::postPayments);
  }

  private <T> boolean handOver(BlockingQueue<T> next, T item) throws InterruptedException {
    while (!failed.get()) {
      if (next.offer(item, 50, TimeUnit.MILLISECONDS)) {
        return true;
      }
    }
    return false;
  }

  private void readLines(int lineCount) {
    boolean completed = false;
    try {
      for (int i = 0; i < lineCount; i++) {
        String currency = i == 7 ? "XAU" : (i % 2 == 0 ? "EUR" : "USD");
        if (!handOver(rawLines, "DE89370400440532013" + (i % 10) + ";" + (10 + i) + ".50;"
            + currency)) {
          return;
        }
      }
      completed = handOver(rawLines, "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (!completed) {
        failed.set(true);
      }
    }
  }

  private void parseLines() {
    boolean completed = false;
    try {
      for (String line = rawLines.take(); !line.isEmpty(); line = rawLines.take()) {
        String[] f = line.split(";");
        if (!handOver(parsed, new Payment(f[0], new BigDecimal(f[1]), f[2]))) {
          return;
        }
      }
      completed = handOver(parsed, new Payment("", BigDecimal.ZERO, ""));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (!completed) {
        failed.set(true);
      }
    }
  }

  private void postPayments() {
    boolean completed = false;
    try {
      for (Payment p = parsed.take(); !p.iban().isEmpty(); p = parsed.take()) {
        ledger.post(p);
      }
      completed = true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (!completed) {
        failed.set(true);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    PaymentImportPipelineFixed pipeline = new PaymentImportPipelineFixed();
    pipeline.run(200);
    Thread.sleep(600);
    System.out.println("posted=" + pipeline.ledger.posted.get() + " active stages="
        + pipeline.stages.getActiveThreadCount()
        + " failed=" + pipeline.failed.get());
  }
}
