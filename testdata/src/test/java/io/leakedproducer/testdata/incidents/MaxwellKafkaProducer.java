// Reduction of Maxwell https://github.com/zendesk/maxwell/issues/581 (fixed by PR
// https://github.com/zendesk/maxwell/pull/615): the Kafka producer's worker thread rethrows any
// failure and dies (here: a topic that does not exist); the binlog replicator, on the caller's
// thread, keeps pushing rows into the worker's bounded queue and blocks in put for good.
// Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;

/** Replicates binlog rows to Kafka through a producer with its own sending thread. */
public class MaxwellKafkaProducer {
  /** Kafka's unchecked client failure. */
  static final class KafkaException extends RuntimeException {
    KafkaException(String message) {
      super(message);
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

    KafkaProducer(KafkaClient kafka, String topicTemplate) {
      this.queue = new ArrayBlockingQueue<>(100);
      this.worker = new KafkaProducerWorker(kafka, topicTemplate, this.queue);
      Thread thread = new Thread(this.worker, "maxwell-kafka-worker");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    void push(String row) throws Exception {
      this.queue.put(row); // LEAK
    }
  }

  /** The sending thread: takes rows and sends each to the topic its database maps to. */
  static final class KafkaProducerWorker implements Runnable {
    private final KafkaClient kafka;
    private final String topicTemplate;
    private final ArrayBlockingQueue<String> queue;

    KafkaProducerWorker(KafkaClient kafka, String topicTemplate, ArrayBlockingQueue<String> queue) {
      this.kafka = kafka;
      this.topicTemplate = topicTemplate;
      this.queue = queue;
    }

    @Override
    public void run() {
      while (true) {
        try {
          String row = queue.take();
          this.push(row);
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }
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
  abstract static class RunLoopProcess {
    private volatile boolean running = true;

    void requestStop() {
      running = false;
    }

    void runLoop() throws Exception {
      while (running) {
        work();
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
    BinlogReplicator replicator =
        new BinlogReplicator(new KafkaProducer(kafka, "maxwell_%{database}"));
    replicator.runLoop();
    System.out.println("replicated up to position " + replicator.position);
  }
}
