// Reduction of JumpMind Metl https://github.com/JumpMind/metl/issues/439, the fix (commits
// 094a1cc..61bedc0): every step gets a cancelling flag set by cancel(), and queue() retries a timed
// offer that gives up with CancellationException once the target step is cancelling. Written for
// leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One step of an ETL flow, as in {@link MetlStepRuntime}, with the fix: the flow cancels by calling
 * {@link #cancel()} on every step, which first sets {@code cancelling}; {@link #queue} inserts only
 * while the target step runs, with a timed offer that gives up once the target is cancelling. A
 * producer whose target stopped therefore drops its output instead of blocking, and one parked on
 * a cancelling target's full queue fails with a CancellationException within half a second.
 */
public class MetlStepRuntimeFixed implements Runnable {
  /** A message travelling between steps. */
  static class Message {
    final String originatingStepId;

    Message(String originatingStepId) {
      this.originatingStepId = originatingStepId;
    }
  }

  /** A record of entity data. */
  static final class EntityDataMessage extends Message {
    final String payload;

    EntityDataMessage(String originatingStepId, String payload) {
      super(originatingStepId);
      this.payload = payload;
    }
  }

  /** Tells a step to stop; {@code cancelled} when the flow is being cancelled. */
  static final class ShutdownMessage extends Message {
    final boolean cancelled;

    ShutdownMessage(String originatingStepId, boolean cancelled) {
      super(originatingStepId);
      this.cancelled = cancelled;
    }
  }

  /** The component a step runs, for example a file reader or a table loader. */
  interface ComponentRuntime {
    void handle(Message inputMessage, SendMessageCallback callback) throws Exception;
  }

  /** The running flow: owns the steps and cancels them on the first error. */
  static final class FlowRuntime {
    final List<MetlStepRuntimeFixed> stepRuntimes = new ArrayList<>();
    final CountDownLatch errorRecorded = new CountDownLatch(1);
    CountDownLatch stepsExited;

    void start(ExecutorService flowStepsExecutionThreads) throws InterruptedException {
      stepsExited = new CountDownLatch(stepRuntimes.size());
      for (MetlStepRuntimeFixed stepRuntime : stepRuntimes) {
        stepRuntime.running = true;
      }
      for (MetlStepRuntimeFixed stepRuntime : stepRuntimes) {
        if (stepRuntime.startStep) {
          stepRuntime.queue(new Message(null));
        }
        flowStepsExecutionThreads.execute(stepRuntime);
      }
    }

    void cancel() {
      for (MetlStepRuntimeFixed stepRuntime : stepRuntimes) {
        stepRuntime.cancel();
      }
    }
  }

  /** What a component uses to emit messages to the step's targets. */
  final class SendMessageCallback {
    void sendEntityDataMessage(String payload) {
      sendMessage(new EntityDataMessage(stepId, payload));
    }

    private void sendMessage(Message message) {
      for (MetlStepRuntimeFixed targetRuntime : targetStepRuntimes) {
        try {
          targetRuntime.queue(message);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  final String stepId;
  final boolean startStep;
  private final FlowRuntime flowRuntime;
  private final ComponentRuntime componentRuntime;
  final BlockingQueue<Message> inQueue;
  final List<MetlStepRuntimeFixed> targetStepRuntimes = new ArrayList<>();
  volatile boolean running = false;
  volatile boolean cancelling = false;
  volatile boolean cancelled = false;
  volatile boolean finished = false;
  volatile Throwable error;

  MetlStepRuntimeFixed(
      String stepId,
      boolean startStep,
      FlowRuntime flowRuntime,
      ComponentRuntime componentRuntime,
      int queueCapacity) {
    this.stepId = stepId;
    this.startStep = startStep;
    this.flowRuntime = flowRuntime;
    this.componentRuntime = componentRuntime;
    this.inQueue = new LinkedBlockingQueue<>(queueCapacity);
  }

  protected void queue(Message message) throws InterruptedException {
    if (inQueue.remainingCapacity() == 0 && stepId.equals(message.originatingStepId)) {
      throw new IllegalStateException(
          "Inbound queue capacity on " + stepId + " not sufficient for messages from itself");
    }
    if (running) {
      while (!inQueue.offer(message, 500, TimeUnit.MILLISECONDS)) {
        if (cancelling) {
          throw new CancellationException(stepId + " is being cancelled");
        }
      }
    }
  }

  @Override
  public void run() {
    try {
      SendMessageCallback target = new SendMessageCallback();
      while (running && !cancelled) {
        Message inputMessage = inQueue.poll();
        if (running && !cancelled) {
          if (inputMessage instanceof ShutdownMessage shutdownMessage) {
            process(shutdownMessage);
          } else if (inputMessage != null) {
            process(inputMessage, target);
          } else {
            Thread.sleep(50);
          }
        }
      }
    } catch (Exception ex) {
      recordError(ex);
    } finally {
      flowRuntime.stepsExited.countDown();
    }
  }

  private void process(Message inputMessage, SendMessageCallback target) {
    try {
      componentRuntime.handle(inputMessage, target);
      if (startStep) {
        shutdown();
      }
    } catch (Exception ex) {
      recordError(ex);
    }
  }

  private void process(ShutdownMessage shutdownMessage) {
    cancelled = shutdownMessage.cancelled;
    shutdown();
  }

  private void shutdown() {
    for (MetlStepRuntimeFixed targetRuntime : targetStepRuntimes) {
      try {
        targetRuntime.queue(new ShutdownMessage(stepId, cancelled));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
    finished = true;
    running = false;
  }

  void recordError(Throwable ex) {
    System.out.println(stepId + " failed: " + ex.getMessage());
    // Only the first error cancels the flow.
    if (error == null) {
      error = ex;
      flowRuntime.cancel();
      flowRuntime.errorRecorded.countDown();
    }
  }

  void cancel() {
    cancelling = true;
    if (isRunning()) {
      try {
        inQueue.clear();
        queue(new ShutdownMessage(stepId, true));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else if (!finished) {
      cancelled = true;
    }
  }

  boolean isRunning() {
    return running;
  }

  public static void main(String[] args) throws Exception {
    FlowRuntime flow = new FlowRuntime();
    MetlStepRuntimeFixed readFile =
        new MetlStepRuntimeFixed(
            "Read File",
            true,
            flow,
            (message, callback) -> {
              for (int line = 1; line <= 100_000; line++) {
                callback.sendEntityDataMessage(line == 42 ? "42,,BROKEN" : line + ",ok");
              }
            },
            1_000);
    MetlStepRuntimeFixed loadTable =
        new MetlStepRuntimeFixed(
            "Load Table",
            false,
            flow,
            (message, callback) -> {
              String row = ((EntityDataMessage) message).payload;
              if (row.contains(",,")) {
                throw new IllegalArgumentException("column 2 may not be null: " + row);
              }
            },
            1_000);
    readFile.targetStepRuntimes.add(loadTable);
    flow.stepRuntimes.add(readFile);
    flow.stepRuntimes.add(loadTable);

    ExecutorService flowStepsExecutionThreads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "flow-step");
              t.setDaemon(true);
              return t;
            });
    flow.start(flowStepsExecutionThreads);
    boolean failed = flow.errorRecorded.await(5, TimeUnit.SECONDS);
    System.out.println(failed ? "flow cancelled after an error" : "flow did not fail in time");
    boolean stopped = flow.stepsExited.await(2, TimeUnit.SECONDS);
    System.out.println(stopped ? "every step stopped" : "a step is still running");
    flowStepsExecutionThreads.shutdown();
  }
}
