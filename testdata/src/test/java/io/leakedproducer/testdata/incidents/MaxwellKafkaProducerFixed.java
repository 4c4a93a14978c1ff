// Reduction of Maxwell https://github.com/zendesk/maxwell/issues/581 as fixed by PR
// https://github.com/zendesk/maxwell/pull/615: every background task registers with a task
// manager; the worker, when it fails, terminates the context, which asks every task to stop and
// interrupts the thread of each one that does not stop in time, the replicator's among them.
// Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeoutException;

/** Replicates binlog rows to Kafka through a producer with its own sending thread. */
public class MaxwellKafkaProducerFixed {
  /** Kafka's unchecked client failure. */
  static final class KafkaException extends RuntimeException {
    KafkaException(String message) {
      super(message);
    }
  }

  /** A background task that can be asked to stop and then waited for. */
  interface StoppableTask {
    void requestStop();

    void awaitStop(long timeoutMs) throws TimeoutException;
  }

  /** The run state of one task; interrupts the task's thread when it does not stop in time. */
  static final class StoppableTaskState {
    private enum RunState { RUNNING, REQUEST_STOP, STOPPED }

    private volatile RunState state = RunState.RUNNING;
    private final String description;

    StoppableTaskState(String description) {
      this.description = description;
    }

    boolean isRunning() {
      return state == RunState.RUNNING;
    }

    synchronized void requestStop() {
      if (isRunning()) {
        state = RunState.REQUEST_STOP;
      }
    }

    void stopped() {
      state = RunState.STOPPED;
    }

    void awaitStop(Thread thread, long timeoutMs) throws TimeoutException {
      for (long left = timeoutMs; left > 0 && state == RunState.REQUEST_STOP; left -= 10) {
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          // keep waiting for the task
        }
      }
      if (thread != null && thread != Thread.currentThread()) {
        thread.interrupt();
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        // the task had its chance
      }
      if (state != RunState.STOPPED) {
        throw new TimeoutException("Timed out waiting for " + description + " to stop");
      }
    }
  }

  /** Stops every registered task, once, when the first failure or shutdown arrives. */
  static final class TaskManager {
    private final List<StoppableTask> tasks = new ArrayList<>();
    private boolean stopping;

    synchronized void add(StoppableTask task) {
      tasks.add(task);
    }

    synchronized boolean stop(Exception error) {
      if (stopping) {
        return false;
      }
      stopping = true;
      for (StoppableTask task : tasks) {
        task.requestStop();
      }
      for (StoppableTask task : tasks) {
        try {
          task.awaitStop(500);
        } catch (TimeoutException e) {
          System.err.println(e.getMessage());
        }
      }
      return true;
    }
  }

  /** Shared state of one Maxwell process: the tasks and the first error. */
  static final class MaxwellContext {
    private final TaskManager taskManager = new TaskManager();
    private volatile Exception error;

    void addTask(StoppableTask task) {
      taskManager.add(task);
    }

    void terminate(Exception error) {
      if (this.error == null) {
        this.error = error;
      }
      taskManager.stop(error);
    }

    Exception getError() {
      return error;
    }
  }

  /** Stands in for the Kafka client: knows the topics of the cluster. */
  static final class KafkaClient {
    private final Set<String> topics;

    KafkaClient(Set<String> topics) {
      this.topics = topics;
    }

    int partitionsFor(String topic) {
      if (!topics.contains(topic)) {
        throw new KafkaException("Topic '" + topic + "' not present in metadata");
      }
      return 4;
    }

    void send(String topic, int partition, String value) {}
  }

  /** Where the replicator hands each row. */
  abstract static class AbstractProducer {
    abstract void push(String row) throws Exception;
  }

  /** Queues rows for the worker thread, which sends them to Kafka. */
  static final class KafkaProducer extends AbstractProducer {
    private final ArrayBlockingQueue<String> queue;
    private final KafkaProducerWorker worker;

    KafkaProducer(MaxwellContext context, KafkaClient kafka, String topicTemplate) {
      this.queue = new ArrayBlockingQueue<>(100);
      this.worker = new KafkaProducerWorker(context, kafka, topicTemplate, this.queue);
      context.addTask(worker);
      Thread thread = new Thread(this.worker, "maxwell-kafka-worker");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    void push(String row) throws Exception {
      this.queue.put(row);
    }
  }

  /** The sending thread: takes rows and sends each to the topic its database maps to. */
  static final class KafkaProducerWorker implements Runnable, StoppableTask {
    private final MaxwellContext context;
    private final StoppableTaskState taskState = new StoppableTaskState("KafkaProducerWorker");
    private Thread thread;
    private final KafkaClient kafka;
    private final String topicTemplate;
    private final ArrayBlockingQueue<String> queue;

    KafkaProducerWorker(MaxwellContext context, KafkaClient kafka, String topicTemplate,
        ArrayBlockingQueue<String> queue) {
      this.context = context;
      this.kafka = kafka;
      this.topicTemplate = topicTemplate;
      this.queue = queue;
    }

    @Override
    public void run() {
      this.thread = Thread.currentThread();
      while (true) {
        try {
          String row = queue.take();
          if (!taskState.isRunning()) {
            taskState.stopped();
            return;
          }
          this.push(row);
        } catch (Exception e) {
          taskState.stopped();
          context.terminate(e);
          return;
        }
      }
    }

    @Override
    public void requestStop() {
      taskState.requestStop();
    }

    @Override
    public void awaitStop(long timeoutMs) throws TimeoutException {
      taskState.awaitStop(thread, timeoutMs);
    }

    private void push(String row) {
      String topic = topicTemplate.replace("%{database}", row.substring(0, row.indexOf('.')));
      kafka.send(topic, row.hashCode() % getNumPartitions(topic), row);
    }

    private int getNumPartitions(String topic) {
      try {
        return kafka.partitionsFor(topic);
      } catch (KafkaException e) {
        System.err.println("Topic '" + topic + "' name does not exist. Exception: " + e);
        throw e;
      }
    }
  }

  /** A loop that runs work() on the calling thread until asked to stop. */
  abstract static class RunLoopProcess implements StoppableTask {
    private final StoppableTaskState taskState = new StoppableTaskState(getClass().getName());
    private Thread thread;

    @Override
    public void requestStop() {
      taskState.requestStop();
    }

    @Override
    public void awaitStop(long timeoutMs) throws TimeoutException {
      taskState.awaitStop(thread, timeoutMs);
    }

    void runLoop() throws Exception {
      this.thread = Thread.currentThread();
      try {
        while (taskState.isRunning()) {
          work();
        }
      } finally {
        taskState.stopped();
      }
    }

    protected abstract void work() throws Exception;
  }

  /** Reads row events from the binlog and pushes each to the producer. */
  static final class BinlogReplicator extends RunLoopProcess {
    private final AbstractProducer producer;
    private long position;

    BinlogReplicator(AbstractProducer producer) {
      this.producer = producer;
    }

    @Override
    protected void work() throws Exception {
      String database = position % 10 == 9 ? "billing" : "shop";
      producer.push(database + ".orders insert id=" + position++);
      if (position == 1_000) {
        requestStop();
      }
    }
  }

  public static void main(String[] args) throws Exception {
    // Rows of the "billing" database go to a topic nobody created.
    KafkaClient kafka = new KafkaClient(Set.of("maxwell_shop"));
    MaxwellContext context = new MaxwellContext();
    BinlogReplicator replicator =
        new BinlogReplicator(new KafkaProducer(context, kafka, "maxwell_%{database}"));
    context.addTask(replicator);
    try {
      replicator.runLoop();
    } catch (InterruptedException e) {
      System.out.println("replicator stopped: " + context.getError());
    }
    System.out.println("replicated up to position " + replicator.position);
  }
}
