package eval.cases;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/** A render worker hands each page to the request thread, which gives up after a deadline. */
public final class RenderHandoff {
  private final ExecutorService renderers = Executors.newFixedThreadPool(1, r -> {
    Thread t = new Thread(r, "renderer");
    t.setDaemon(true);
    return t;
  });

  String render(String template) throws InterruptedException {
    SynchronousQueue<String> page = new SynchronousQueue<>();
    renderers.execute(() -> {
      try {
        Thread.sleep(200); // a slow template
        page.put("<html>" + template + "</html>"); // LEAK
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    String html = page.poll(50, TimeUnit.MILLISECONDS);
    return html == null ? "<html>timeout</html>" : html;
  }

  public static void main(String[] args) throws Exception {
    System.out.println(new RenderHandoff().render("home"));
  }
}
