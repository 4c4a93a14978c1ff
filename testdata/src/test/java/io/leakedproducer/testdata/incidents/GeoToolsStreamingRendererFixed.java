// Reduction of GeoTools https://osgeo-org.atlassian.net/browse/GEOT-4341, as fixed by commit
// 3c7fcb0621 in https://github.com/geotools/geotools ("The painter thread in StreamingRender can
// lockup indefinitely upon rendering request cancellation"): the stop flag is volatile; the
// requests queue is a subclass whose put() does nothing once a stop was requested (and clears
// the queue when the stop came in while it waited), and whose take() then returns the end
// marker; stopRendering() raises the flag, clears the queue, interrupts the painter and puts the
// end marker; paint() puts its own end marker and waits for the painter only when no stop was
// requested. Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Renders the layers of a map by streaming their features to a painter thread. */
public class GeoToolsStreamingRendererFixed {

  /** The drawing surface; a remote or very large canvas can be slow to draw on. */
  static final class Graphics {
    private final CountDownLatch ready;
    private final CountDownLatch drawing;
    private int shapes;

    Graphics(CountDownLatch ready, CountDownLatch drawing) {
      this.ready = ready;
      this.drawing = drawing;
    }

    void draw(String shape) {
      drawing.countDown();
      try {
        ready.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      shapes++;
    }
  }

  /** A map layer: a feature source and the symbolizers of its style. */
  static final class Layer {
    final String name;
    final int features;
    final List<String> symbolizers;

    Layer(String name, int features, String... symbolizers) {
      this.name = name;
      this.features = features;
      this.symbolizers = List.of(symbolizers);
    }

    Iterator<String> features() {
      List<String> all = new ArrayList<>();
      for (int i = 0; i < features; i++) {
        all.add(name + "." + i);
      }
      return all.iterator();
    }
  }

  abstract static class RenderingRequest {
    abstract void execute();
  }

  final class PaintShapeRequest extends RenderingRequest {
    final Graphics graphics;
    final String shape;

    PaintShapeRequest(Graphics graphics, String shape) {
      this.graphics = graphics;
      this.shape = shape;
    }

    @Override
    void execute() {
      graphics.draw(shape);
    }
  }

  /** Tells the painter that the rendering is over. */
  final class EndRequest extends RenderingRequest {
    @Override
    void execute() {
      // nothing to draw
    }
  }

  private final List<Layer> layers = new ArrayList<>();
  private final int queueSize;
  private ExecutorService threadPool;
  /** Raised by stopRendering(), checked by the rendering loop and by the painter. */
  private volatile boolean renderingStopRequested = false;
  private BlockingQueue<RenderingRequest> requests;
  private PainterThread painterThread;
  private final List<Throwable> errors = new ArrayList<>();

  GeoToolsStreamingRendererFixed(int queueSize) {
    this.queueSize = queueSize;
  }

  void addLayer(Layer layer) {
    layers.add(layer);
  }

  /** The pool the painter runs on; GeoServer shares one between all its renderers. */
  public void setThreadPool(ExecutorService threadPool) {
    this.threadPool = threadPool;
  }

  /** Asks a rendering in progress to stop as soon as possible. */
  public void stopRendering() {
    renderingStopRequested = true;
    // unblock the rendering thread in case it was waiting for room in a full queue
    requests.clear();
    // wake up the painter and put a death pill in the queue
    painterThread.interrupt();
    try {
      requests.put(new EndRequest());
    } catch (InterruptedException e) {
      throw new RuntimeException("Interrupted while putting the end request", e);
    }
  }

  public void paint(Graphics graphics) {
    renderingStopRequested = false;
    requests = getRequestsQueue();
    painterThread = new PainterThread(requests);
    ExecutorService localThreadPool = threadPool;
    boolean localPool = false;
    if (localThreadPool == null) {
      localThreadPool = Executors.newSingleThreadExecutor();
      localPool = true;
    }
    Future<?> painterFuture = localThreadPool.submit(painterThread);
    try {
      for (Layer layer : layers) {
        if (renderingStopRequested) {
          return;
        }
        try {
          drawFeatures(graphics, layer);
        } catch (Throwable t) {
          fireErrorEvent(t);
        }
      }
    } finally {
      try {
        if (!renderingStopRequested) {
          requests.put(new EndRequest());
          painterFuture.get();
        }
      } catch (Exception e) {
        painterFuture.cancel(true);
        fireErrorEvent(e);
      } finally {
        if (localPool) {
          localThreadPool.shutdown();
        }
      }
    }
  }

  private void drawFeatures(Graphics graphics, Layer layer) {
    Iterator<String> iterator = layer.features();
    while (iterator.hasNext() && !renderingStopRequested) {
      try {
        process(graphics, layer, iterator.next());
      } catch (Throwable tr) {
        // one broken feature must not ruin the whole map
        fireErrorEvent(tr);
      }
    }
  }

  private void process(Graphics graphics, Layer layer, String feature)
      throws InterruptedException {
    // One paint request per symbolizer: a road is drawn twice, casing first, then its centre line.
    for (String symbolizer : layer.symbolizers) {
      String shape = symbolizer + "(" + feature + ")";
      requests.put(new PaintShapeRequest(graphics, shape));
    }
  }

  /** The queue between the reading thread and the painter. */
  protected BlockingQueue<RenderingRequest> getRequestsQueue() {
    return new RenderingBlockingQueue(queueSize);
  }

  private void fireErrorEvent(Throwable t) {
    synchronized (errors) {
      errors.add(t);
    }
  }

  /** Takes the requests and draws them, until the end marker or a stop request. */
  class PainterThread implements Runnable {
    final BlockingQueue<RenderingRequest> requests;
    volatile Thread thread;

    PainterThread(BlockingQueue<RenderingRequest> requests) {
      this.requests = requests;
    }

    void interrupt() {
      Thread t = thread;
      if (t != null) {
        t.interrupt();
      }
    }

    @Override
    public void run() {
      thread = Thread.currentThread();
      boolean done = false;
      while (!done) {
        try {
          RenderingRequest request = requests.take();
          if (request instanceof EndRequest || renderingStopRequested) {
            done = true;
          } else {
            request.execute();
          }
        } catch (InterruptedException e) {
          // we might have been interrupted to stop processing
          if (renderingStopRequested) {
            done = true;
          }
        }
      }
    }
  }

  /**
   * Once a stop was requested, puts are ignored and take always returns the end marker.
   */
  class RenderingBlockingQueue extends ArrayBlockingQueue<RenderingRequest> {
    private static final long serialVersionUID = 1L;

    RenderingBlockingQueue(int capacity) {
      super(capacity);
    }

    @Override
    public void put(RenderingRequest e) throws InterruptedException {
      if (!renderingStopRequested) {
        super.put(e);
        if (renderingStopRequested) {
          this.clear();
        }
      }
    }

    @Override
    public RenderingRequest take() throws InterruptedException {
      if (!renderingStopRequested) {
        return super.take();
      }
      return new EndRequest();
    }
  }

  public static void main(String[] args) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "painter");
      t.setDaemon(true);
      return t;
    });
    CountDownLatch canvasReady = new CountDownLatch(1);
    CountDownLatch drawing = new CountDownLatch(2);
    // Roads are drawn with two symbolizers: the timeout fires between the two requests of one road.
    GeoToolsStreamingRendererFixed roads = new GeoToolsStreamingRendererFixed(15);
    roads.setThreadPool(pool);
    roads.addLayer(new Layer("roads", 40, "casing", "centre"));
    // A small layer: the request thread has read every river and is putting the end marker.
    GeoToolsStreamingRendererFixed rivers = new GeoToolsStreamingRendererFixed(15);
    rivers.setThreadPool(pool);
    rivers.addLayer(new Layer("rivers", 17, "line"));

    List<Thread> requestThreads = new ArrayList<>();
    for (GeoToolsStreamingRendererFixed renderer : List.of(roads, rivers)) {
      Thread t = new Thread(() -> renderer.paint(new Graphics(canvasReady, drawing)), "GetMap");
      t.setDaemon(true);
      requestThreads.add(t);
      t.start();
    }
    // Both painters are busy with their first shape on a slow canvas, both queues fill up.
    drawing.await(5, TimeUnit.SECONDS);
    waitUntilParked(requestThreads);

    // The rendering timeout of GeoServer fires for both requests.
    roads.stopRendering();
    rivers.stopRendering();
    canvasReady.countDown();
    Thread.sleep(200);
    System.out.println("GetMap threads still alive: "
        + requestThreads.stream().filter(Thread::isAlive).count());
  }

  private static void waitUntilParked(List<Thread> threads) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      if (threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING
          || t.getState() == Thread.State.TIMED_WAITING)) {
        return;
      }
      Thread.sleep(10);
    }
  }
}
