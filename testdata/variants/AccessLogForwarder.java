package eval.cases;

import java.io.Closeable;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A log shipper: a tailer thread follows the access log and queues each line, a shipper thread
 * sends them to the collector. close() stops and joins the shipper but forgets the tailer, which
 * keeps reading the growing file and blocks in put for good once the outbox is full.
 */
public final class AccessLogForwarder implements Closeable {
  /** Stands in for a followed file that keeps growing. */
  static final class GrowingLogFile implements Iterator<String> {
    private long lineNo;

    @Override
    public boolean hasNext() {
      return true;
    }

    @Override
    public String next() {
      lineNo++;
      return "10.0.0." + (lineNo % 250) + " - - \"GET /api/items/" + lineNo + "\" 200";
    }
  }

  static final class CollectorClient {
    private final AtomicLong sent = new AtomicLong();

    void send(String line) {
      if (!line.isEmpty()) {
        sent.incrementAndGet();
      }
    }
  }

  private final BlockingQueue<String> outbox = new LinkedBlockingQueue<>(64);
  private final CollectorClient collector = new CollectorClient();
  private final TailerThread tailer;
  private final Thread shipper;
  private volatile boolean shipping = true;

  AccessLogForwarder(Iterator<String> logFile) {
    tailer = new TailerThread(logFile);
    shipper = new Thread(this::shipLoop, "access-log-shipper");
    shipper.setDaemon(true);
  }

  void start() {
    tailer.start();
    shipper.start();
  }

  final class TailerThread extends Thread {
    private final Iterator<String> source;

    TailerThread(Iterator<String> source) {
      super("access-log-tailer");
      setDaemon(true);
      this.source = source;
    }

    @Override
    public void run() {
      try {
        while (!isInterrupted()) {
          if (!source.hasNext()) {
            Thread.sleep(20);
            continue;
          }
          outbox.put(source.next()); // LEAK
        }
      } catch (InterruptedException e) {
        // asked to stop
      }
    }
  }

  private void shipLoop() {
    while (shipping) {
      try {
        String line = outbox.poll(100, TimeUnit.MILLISECONDS);
        if (line != null) {
          collector.send(line);
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    shipping = false;
    shipper.interrupt();
    try {
      shipper.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static void main(String[] args) throws Exception {
    AccessLogForwarder forwarder = new AccessLogForwarder(new GrowingLogFile());
    forwarder.start();
    Thread.sleep(100);
    forwarder.close();
    System.out.println("shipped " + forwarder.collector.sent.get() + " lines");
  }
}
