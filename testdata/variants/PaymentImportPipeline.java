package eval.cases;

import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A two-stage payment import on a ForkJoinPool: the reader queues raw CSV lines, the parser turns
 * them into payments for the posting stage, which converts currencies through the rate table. A
 * payment in an unknown currency makes the rate table throw and the posting stage dies; the parser
 * then blocks handing over, and the reader blocks behind it.
 */
public final class PaymentImportPipeline {
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
  private final Ledger ledger = new Ledger();
  private final ForkJoinPool stages = new ForkJoinPool(3);

  void run(int lineCount) {
    stages.execute(() -> readLines(lineCount));
    stages.execute(this::parseLines);
    stages.execute(this::postPayments);
  }

  private static final Payment END = new Payment("", BigDecimal.ZERO, "");

  private static String csvLine(int i) {
    String currency = i == 7 ? "XAU" : (i % 2 == 0 ? "EUR" : "USD");
    return "DE89370400440532013" + (i % 10) + ";" + (10 + i) + ".50;" + currency;
  }

  private void readLines(int lineCount) {
    try {
      for (int i = 0; i <= lineCount; i++) {
        rawLines.put(i == lineCount ? "" : csvLine(i)); // LEAK
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void parseLines() {
    try {
      while (true) {
        String line = rawLines.take();
        Payment payment = line.isEmpty() ? END : parse(line);
        parsed.put(payment); // LEAK
        if (payment == END) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Payment parse(String line) {
    String[] f = line.split(";");
    return new Payment(f[0], new BigDecimal(f[1]), f[2]);
  }

  private void postPayments() {
    try {
      for (Payment p = parsed.take(); p != END; p = parsed.take()) {
        ledger.post(p);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static void main(String[] args) throws Exception {
    PaymentImportPipeline pipeline = new PaymentImportPipeline();
    pipeline.run(200);
    Thread.sleep(400);
    System.out.println("posted=" + pipeline.ledger.posted.get() + " active stages="
        + pipeline.stages.getActiveThreadCount());
  }
}
