package io.leakedproducer.checker;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.errorprone.CompilationTestHelper;
import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.File;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Odd but valid code, and code that does not compile: the check must never crash javac. */
final class RobustnessTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  @Test
  void negativeOddButValidCode() {
    helper
        .addSourceLines(
            "Odd.java",
            """
            import java.util.*;
            import java.util.concurrent.*;
            import java.util.function.*;

            @SuppressWarnings({"rawtypes", "unchecked"})
            class Odd {
              static final BlockingQueue STATIC_RAW = new ArrayBlockingQueue(1);
              static final BlockingQueue<String>[] ARRAY = new BlockingQueue[] {new ArrayBlockingQueue<String>(2)};
              static final Map<String, BlockingQueue<String>> BY_NAME = new HashMap<>();

              static {
                Runnable r = () -> {
                  try {
                    STATIC_RAW.put("x");
                    ARRAY[0].put("y");
                    BY_NAME.computeIfAbsent("z", k -> new ArrayBlockingQueue<>(1)).put("z");
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                };
                new Thread(r).start();
              }

              {
                BlockingQueue<Integer> q = new SynchronousQueue<>();
                new Thread(() -> q.offer(1)).start();
              }

              record Job(String id, BlockingQueue<String> out) {
                Job {
                  Objects.requireNonNull(out);
                }

                void emit() throws InterruptedException {
                  out.put(id);
                }
              }

              enum Mode {
                FAST {
                  @Override
                  void run(BlockingQueue<Object> q) throws InterruptedException {
                    q.put(this);
                  }
                };

                abstract void run(BlockingQueue<Object> q) throws InterruptedException;
              }

              sealed interface Shape permits Circle, Square {}

              record Circle(double r) implements Shape {}

              record Square(double s) implements Shape {}

              interface Sink<T> {
                default void push(BlockingQueue<T> q, T t) throws InterruptedException {
                  q.put(t);
                }
              }

              static <T extends Comparable<? super T>> void generic(List<? extends T> items) throws InterruptedException {
                BlockingQueue<? super T> q = new ArrayBlockingQueue<>(items.size() + 1);
                for (T t : items) {
                  q.put(t);
                }
              }

              double area(Shape shape) throws InterruptedException {
                BlockingQueue<Double> results = new LinkedBlockingQueue<>(1);
                double value = switch (shape.getClass().getSimpleName()) {
                  case "Circle" -> shape instanceof Circle c ? c.r() * c.r() * Math.PI : 0;
                  default -> {
                    double side = shape instanceof Square s ? s.s() : 0;
                    results.put(side);
                    yield side * side;
                  }
                };
                return value + results.take();
              }

              void localAndAnonymous(List<String> items) {
                class Local implements Runnable {
                  final BlockingQueue<String> q = new ArrayBlockingQueue<>(1);

                  @Override
                  public void run() {
                    new Thread(new Runnable() {
                      @Override
                      public void run() {
                        Supplier<Runnable> nested = () -> () -> {
                          try {
                            for (String item : items) {
                              q.put(item);
                            }
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                        };
                        nested.get().run();
                      }
                    }).start();
                  }
                }
                new Local().run();
              }

              void escapes(ExecutorService pool, List<String> items) {
                BlockingQueue<String> q = new ArrayBlockingQueue<>(1);
                pool.execute(() -> {
                  try {
                    for (String item : items) {
                      q.put(item);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                consumeElsewhere(q::poll);
                hand(q);
              }

              void consumeElsewhere(Supplier<String> s) {}

              static native void hand(BlockingQueue<String> q);

              BlockingQueue<String> returned(List<String> items) {
                BlockingQueue<String> q = new ArrayBlockingQueue<>(1);
                new Thread(() -> {
                  try {
                    for (String item : items) {
                      q.put(item);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }).start();
                return q;
              }

              void selfFeeding() throws InterruptedException {
                BlockingQueue<Integer> q = new ArrayBlockingQueue<>(1);
                for (int i = 0; ; i++) {
                  q.put(i);
                  if (q.take() > 10) {
                    return;
                  }
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationInsideNestedAndStaticContexts() {
    helper
        .addSourceLines(
            "Outer.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class Outer {
              static class Inner {
                static final Runnable STARTER = () -> {
                  BlockingQueue<String> q = new ArrayBlockingQueue<>(1);
                  new Thread(() -> {
                    try {
                      for (String s : List.of("a", "b", "c")) {
                        // BUG: Diagnostic contains: put() on 'q' (new ArrayBlockingQueue<>(1)): every consumer can stop taking (line 19: takes a single element and stops)
                        q.put(s);
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }).start();
                  try {
                    System.out.println(q.take());
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                };
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeCodeWithCompileErrorsElsewhereDoesNotCrash() {
    Compilation compilation =
        Compiler.javac()
            .withOptions(
                "-XDcompilePolicy=simple",
                "--should-stop=ifError=FLOW",
                "-Xplugin:ErrorProne -XepDisableAllChecks -Xep:LeakedProducer:WARN")
            .withAnnotationProcessorPath(
                Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                    .map(File::new)
                    .collect(Collectors.toList()))
            .compile(
                JavaFileObjects.forSourceString(
                    "Broken",
                    """
                    import java.util.List;
                    import java.util.concurrent.*;

                    class Broken {
                      void feed(List<String> items) throws InterruptedException {
                        BlockingQueue<String> q = new ArrayBlockingQueue<>(1);
                        new Thread(() -> {
                          try {
                            for (String s : items) {
                              q.put(s);
                            }
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                        }).start();
                        q.take();
                      }

                      void broken() {
                        UnknownType t = new UnknownType();
                        t.put(missing);
                      }
                    }
                    """));
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining("cannot find symbol");
    assertTrue(
        compilation.diagnostics().stream()
            .noneMatch(
                d ->
                    d.getMessage(null)
                        .contains("An unhandled exception was thrown by the Error Prone")),
        () -> compilation.diagnostics().toString());
  }
}
