package io.leakedproducer.checker;

import static io.leakedproducer.checker.ShipperSource.leaky;
import static io.leakedproducer.checker.ShipperSource.safe;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/** How consumers stop taking early, each next to the same consumer made to keep taking. */
final class ConsumerExitsTest {
  private final CompilationTestHelper helper = CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  private void check(String source) {
    helper.addSourceLines("Shipper.java", source).doTest();
  }

  @Test
  void identificationReturnThatIsNotEndOfStream() {
    check(leaky("""
        while (true) {
          String line = outbox.take();
          if (line.length() > 80) {
            return line;
          }
        }
        """, "every consumer can stop taking (line 29: return after a matching element)"));
  }

  @Test
  void negativeReturnOnPoisonPill() {
    check(safe("""
        while (true) {
          String line = outbox.take();
          if (line == EOF) {
            return line;
          }
        }
        """));
  }

  @Test
  void identificationBreakInCatch() {
    check(leaky("""
        while (true) {
          String line = outbox.take();
          try {
            send(line);
          } catch (IOException e) {
            break;
          }
        }
        """, "(line 31: break in catch (IOException))"));
  }

  @Test
  void negativeCatchLogAndContinue() {
    check(safe("""
        while (true) {
          String line = outbox.take();
          if (EOF.equals(line)) {
            break;
          }
          try {
            send(line);
          } catch (IOException e) {
            log(e);
            continue;
          }
        }
        """));
  }

  @Test
  void identificationThrowFromCatch() {
    check(leaky("""
        pool.submit(() -> {
          while (true) {
            String line = outbox.take();
            try {
              send(line);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
        });
        """, "(line 32: throw UncheckedIOException in catch (IOException))"));
  }

  @Test
  void negativeThrowCaughtInsideTheLoop() {
    check(safe("""
        while (true) {
          String line = outbox.take();
          if (line == EOF) {
            return null;
          }
          try {
            if (!send(line)) {
              throw new IllegalStateException("rejected");
            }
          } catch (IllegalStateException | IOException e) {
            log(e);
          }
        }
        """));
  }

  @Test
  void identificationCatchExceptionReturn() {
    check(leaky("""
        pool.execute(() -> {
          try {
            while (true) {
              String line = outbox.take();
              try {
                send(line);
              } catch (Exception e) {
                return;
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        """, "(line 33: return in catch (Exception))"));
  }

  @Test
  void identificationCheckedExceptionEscapesTheLoop() {
    check(leaky("""
        while (true) {
          String line = outbox.take();
          if (line == EOF) {
            break;
          }
          send(line);
        }
        """, "(line 31: send() can throw IOException out of the take loop)"));
  }

  @Test
  void negativeCheckedExceptionCaughtInsideTheLoop() {
    check(safe("""
        while (true) {
          String line = outbox.take();
          if (line == EOF) {
            break;
          }
          try {
            send(line);
          } catch (IOException e) {
            log(e);
          }
        }
        """));
  }

  @Test
  void identificationFindFirst() {
    check(leaky("""
        String found = null;
        while (found == null) {
          String line = outbox.take();
          if (line.startsWith("ERROR")) {
            found = line;
            break;
          }
        }
        return found;
        """, "(line 30: clears its loop flag 'found')"));
  }

  @Test
  void identificationPollTimeoutGivesUp() {
    check(leaky("""
        while (true) {
          String line = outbox.poll(5, TimeUnit.SECONDS);
          if (line == null) {
            return "timed out";
          }
        }
        """, "(line 29: return when poll() returns null)"));
  }

  @Test
  void negativePollTimeoutChecksProducerDone() {
    check(safe("""
        while (true) {
          String line = outbox.poll(5, TimeUnit.SECONDS);
          if (line == null && producerDone.get()) {
            return "done";
          }
        }
        """));
  }

  @Test
  void identificationPollLoopStopsWhenEmpty() {
    check(leaky("""
        String line;
        while ((line = outbox.poll(100, TimeUnit.MILLISECONDS)) != null) {
          log(new Exception(line));
        }
        """, "(line 27: stops when poll() times out)"));
  }

  @Test
  void identificationIsEmptyLoop() {
    check(leaky("""
        while (!outbox.isEmpty()) {
          log(new Exception(outbox.take()));
        }
        """, "(line 26: stops as soon as the queue is momentarily empty)"));
  }

  @Test
  void negativeDrainUntilProducerDone() {
    check(safe("""
        while (!producerDone.get() || !outbox.isEmpty()) {
          String line = outbox.poll(10, TimeUnit.MILLISECONDS);
          if (line != null) {
            log(new Exception(line));
          }
        }
        """));
  }

  @Test
  void identificationDeclaredUncheckedExceptionKillsConsumerThread() {
    check(leaky("""
        new Thread(() -> {
          long total = 0;
          try {
            while (true) {
              String line = outbox.take();
              total += Integer.parseInt(line);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }).start();
        """, "(line 31: parseInt() can throw NumberFormatException out of the take loop)"));
  }

  @Test
  void negativeUndeclaredUncheckedExceptionsAreNotCounted() {
    check(safe("""
        new Thread(() -> {
          long total = 0;
          try {
            while (true) {
              String line = outbox.take();
              total += line.trim().charAt(0);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }).start();
        """));
  }

  @Test
  void identificationSingleTake() {
    check(leaky("""
        String header = outbox.take();
        return header;
        """, "(line 26: takes a single element and stops)"));
  }

  @Test
  void identificationCountedConsumerTakesFewer() {
    check(leaky("""
        List<String> firstTen = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          firstTen.add(outbox.take());
        }
        """, "(line 27: stops after 10 elements)"));
  }

  @Test
  void negativeCountedConsumerTakesEverything() {
    check(safe("""
        List<String> all = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
          all.add(outbox.take());
        }
        """));
  }

  @Test
  void identificationLoopFlagClearedOnError() {
    check(leaky("""
        boolean running = true;
        while (running) {
          String line = outbox.take();
          try {
            send(line);
          } catch (IOException e) {
            running = false;
          }
        }
        """, "(line 32: clears its loop flag 'running')"));
  }

  @Test
  void identificationLabeledBreakLeavesBothLoops() {
    check(leaky("""
        batches:
        while (true) {
          List<String> batch = new ArrayList<>();
          for (int i = 0; i < 8; i++) {
            String line = outbox.take();
            if (line.isEmpty()) {
              break batches;
            }
            batch.add(line);
          }
        }
        """, "(line 32: break after a matching element)"));
  }

  @Test
  void negativeLabeledContinueKeepsTaking() {
    check(safe("""
        lines:
        while (true) {
          String line = outbox.take();
          for (char c : line.toCharArray()) {
            if (c == '#') {
              continue lines;
            }
          }
          if (line == EOF) {
            break;
          }
        }
        """));
  }

  @Test
  void negativeInterruptedConsumerIsCancellationNotFailure() {
    check(safe("""
        pool.execute(() -> {
          while (true) {
            try {
              String line = outbox.take();
              if (line == EOF) {
                return;
              }
            } catch (InterruptedException e) {
              return;
            }
          }
        });
        """));
  }

  @Test
  void negativeOneOfTwoConsumersNeverStops() {
    check(safe("""
        pool.execute(() -> {
          try {
            while (true) {
              if (!send(outbox.take())) {
                return;
              }
            }
          } catch (InterruptedException | IOException e) {
            Thread.currentThread().interrupt();
          }
        });
        pool.execute(() -> {
          while (true) {
            try {
              String line = outbox.take();
              if (line == EOF) {
                return;
              }
              send(line);
            } catch (Exception e) {
              log(e);
            }
          }
        });
        """));
  }
}
