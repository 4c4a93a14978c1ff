// Reduction of JumpMind Metl https://github.com/JumpMind/metl/issues/439 ("Flow hangs when
// cancelling and a step's queue is full"): a failing step cancels the flow and stops polling, and
// the upstream step stays blocked in put on its inbound queue. Written for leaked-producer; no
// upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One step of an ETL flow. Every step runs {@link #run()} on its own thread, polling its bounded
 * inbound queue; a step sends its output with {@link #queue} on each target step, which is a plain
 * {@code put}. When a component fails the step records the error and the flow cancels every
 * running step by clearing its queue and queueing a shutdown message; the failed step reads that
 * message and stops polling. The upstream step is still busy producing, so it soon finds the
 * stopped step's queue full and blocks in {@code put} with nobody left to take.
 */
public class MetlStepRuntime implements Runnable {
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
    final List<MetlStepRuntime> stepRuntimes = new ArrayList<>();
    final CountDownLatch errorRecorded = new CountDownLatch(1);
    CountDownLatch stepsExited;

    void start(ExecutorService flowStepsExecutionThreads) throws InterruptedException {
      stepsExited = new CountDownLatch(stepRuntimes.size());
      for (MetlStepRuntime stepRuntime : stepRuntimes) {
        stepRuntime.running = true;
      }
      for (MetlStepRuntime stepRuntime : stepRuntimes) {
        if (stepRuntime.startStep) {
          stepRuntime.queue(new Message(null));
        }
        flowStepsExecutionThreads.execute(stepRuntime);
      }
    }

    void cancel() {
      for (MetlStepRuntime stepRuntime : stepRuntimes) {
        if (stepRuntime.isRunning()) {
          try {
            stepRuntime.inQueue.clear();
            stepRuntime.queue(new ShutdownMessage(stepRuntime.stepId, true));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        } else {
          stepRuntime.cancel();
        }
      }
    }
  }

  /** What a component uses to emit messages to the step's targets. */
  final class SendMessageCallback {
    void sendEntityDataMessage(String payload) {
      sendMessage(new EntityDataMessage(stepId, payload));
    }

    private void sendMessage(Message message) {
      for (MetlStepRuntime targetRuntime : targetStepRuntimes) {
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
  final List<MetlStepRuntime> targetStepRuntimes = new ArrayList<>();
  volatile boolean running = false;
  volatile boolean cancelled = false;
  volatile boolean finished = false;
  volatile Throwable error;

  MetlStepRuntime(
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
    inQueue.put(message); // LEAK
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
    for (MetlStepRuntime targetRuntime : targetStepRuntimes) {
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
    if (!finished) {
      cancelled = true;
    }
  }

  boolean isRunning() {
    return running;
  }

  public static void main(String[] args) throws Exception {
    FlowRuntime flow = new FlowRuntime();
    MetlStepRuntime readFile =
        new MetlStepRuntime(
            "Read File",
            true,
            flow,
            (message, callback) -> {
              for (int line = 1; line <= 100_000; line++) {
                callback.sendEntityDataMessage(line == 42 ? "42,,BROKEN" : line + ",ok");
              }
            },
            1_000);
    MetlStepRuntime loadTable =
        new MetlStepRuntime(
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
