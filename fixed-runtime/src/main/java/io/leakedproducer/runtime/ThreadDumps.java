package io.leakedproducer.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.PlatformManagedObject;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JDK's thread dump ({@code HotSpotDiagnosticMXBean.dumpThreads}, JDK 21+), the only API that
 * lists virtual threads. It is reached by reflection so that this jar compiles with {@code
 * --release 17} and runs on 17, where {@link #available()} is false.
 */
final class ThreadDumps {
  private ThreadDumps() {}

  /**
   * One thread of the dump. {@code state} is null when the JDK's JSON has no state (JDK 21 prints
   * only id, name and stack; later JDKs add the state and a {@code virtual} flag), {@code virtual}
   * likewise.
   */
  // The stack is the array the JDK hands out, read once and never compared or exposed: a list copy
  // per sampled thread would buy nothing.
  @SuppressWarnings("ArrayRecordComponent")
  record DumpedThread(
      long id, String name, Boolean virtual, Thread.State state, StackTraceElement[] stack) {}

  /** The bean and its method, or nulls when this JDK has no thread dump API. */
  private static final class Api {
    static final Object BEAN;
    static final Method DUMP_THREADS;
    static final Object JSON_FORMAT;

    static {
      Object bean = null;
      Method dumpThreads = null;
      Object json = null;
      try {
        Class<?> beanType = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
        Class<?> formatType =
            Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
        dumpThreads = beanType.getMethod("dumpThreads", String.class, formatType);
        json = enumConstant(formatType, "JSON");
        bean =
            ManagementFactory.getPlatformMXBean(beanType.asSubclass(PlatformManagedObject.class));
      } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
        // JDK 17-20, or a runtime image without jdk.management: platform threads only.
        bean = null;
      }
      BEAN = bean;
      DUMP_THREADS = bean == null ? null : dumpThreads;
      JSON_FORMAT = json;
    }

    private static Object enumConstant(Class<?> type, String name) {
      for (Object constant : type.getEnumConstants()) {
        if (((Enum<?>) constant).name().equals(name)) {
          return constant;
        }
      }
      throw new IllegalStateException(type.getName() + " has no " + name);
    }
  }

  /** True when this JDK can dump every thread, virtual ones included. */
  static boolean available() {
    return Api.DUMP_THREADS != null;
  }

  /**
   * Dumps every thread the JDK tracks (platform threads and, unless {@code
   * -Djdk.trackAllThreads=false}, every virtual thread) through a private temporary file that is
   * deleted before this returns.
   *
   * @throws IllegalStateException if {@link #available()} is false
   * @throws UncheckedIOException if the dump cannot be written or read
   */
  static List<DumpedThread> dump() {
    if (!available()) {
      throw new IllegalStateException("this JDK has no HotSpotDiagnosticMXBean.dumpThreads");
    }
    Path dir = null;
    Path file = null;
    // File channels fail with ClosedByInterruptException on an interrupted thread: dump with the
    // interrupt status cleared, then restore it.
    boolean interrupted = Thread.interrupted();
    try {
      // A fresh directory (owner-only on POSIX): dumpThreads refuses an existing file.
      dir = Files.createTempDirectory("leaked-producers");
      file = dir.resolve("threads.json");
      Api.DUMP_THREADS.invoke(Api.BEAN, file.toAbsolutePath().toString(), Api.JSON_FORMAT);
      return parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("could not dump the JVM's threads", e);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw new UncheckedIOException("could not dump the JVM's threads", io);
      }
      throw new IllegalStateException("HotSpotDiagnosticMXBean.dumpThreads failed", cause);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("HotSpotDiagnosticMXBean.dumpThreads is not accessible", e);
    } finally {
      deleteQuietly(file);
      deleteQuietly(dir);
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Reads the JDK's JSON thread dump (threadDump.threadContainers[].threads[]). */
  static List<DumpedThread> parse(String json) {
    Map<String, Object> root = asObject(Json.parse(json), "the dump");
    Map<String, Object> dump = asObject(root.get("threadDump"), "threadDump");
    Map<Long, DumpedThread> threads = new LinkedHashMap<>();
    for (Object container : asArray(dump.get("threadContainers"), "threadContainers")) {
      Object members = asObject(container, "a thread container").get("threads");
      for (Object element : asArray(members, "threads")) {
        Map<String, Object> thread = asObject(element, "a thread");
        long id = Long.parseLong(String.valueOf(thread.get("tid")));
        String name = String.valueOf(thread.get("name"));
        Boolean virtual = thread.get("virtual") instanceof Boolean b ? b : null;
        Thread.State state = thread.get("state") instanceof String s ? stateNamed(s) : null;
        List<Object> frames = asArray(thread.get("stack"), "stack");
        StackTraceElement[] stack = new StackTraceElement[frames.size()];
        for (int i = 0; i < stack.length; i++) {
          stack[i] = parseFrame(String.valueOf(frames.get(i)));
        }
        threads.putIfAbsent(id, new DumpedThread(id, name, virtual, state, stack));
      }
    }
    return new ArrayList<>(threads.values());
  }

  /**
   * Parses one frame as {@link StackTraceElement#toString()} prints it: {@code
   * [loader/][module[@version]/]declaringClass.method(File.java:line)}, where the loader part ends
   * in {@code //} when the class is in an unnamed module.
   */
  static StackTraceElement parseFrame(String frame) {
    int open = frame.lastIndexOf('(');
    if (open < 0 || !frame.endsWith(")")) {
      throw new IllegalArgumentException("not a stack frame: " + frame);
    }
    String qualified = frame.substring(0, open);
    String location = frame.substring(open + 1, frame.length() - 1);
    List<String> parts = new ArrayList<>(List.of(qualified.split("/", -1)));
    // A hidden class (a lambda proxy, a LambdaForm) is named like Foo$$Lambda/0x0000123.
    int last = parts.size() - 1;
    if (last > 0 && parts.get(last).startsWith("0x")) {
      parts.set(last - 1, parts.get(last - 1) + "/" + parts.remove(last));
    }
    String loader = null;
    String module = null;
    if (parts.size() == 3) {
      loader = parts.get(0).isEmpty() ? null : parts.get(0);
      module = parts.get(1).isEmpty() ? null : parts.get(1);
    } else if (parts.size() == 2) {
      module = parts.get(0).isEmpty() ? null : parts.get(0);
    } else if (parts.size() != 1) {
      throw new IllegalArgumentException("not a stack frame: " + frame);
    }
    String version = null;
    if (module != null && module.indexOf('@') >= 0) {
      version = module.substring(module.indexOf('@') + 1);
      module = module.substring(0, module.indexOf('@'));
    }
    String method = parts.get(parts.size() - 1);
    int dot = method.lastIndexOf('.');
    if (dot <= 0) {
      throw new IllegalArgumentException("not a stack frame: " + frame);
    }
    String declaringClass = method.substring(0, dot);
    String methodName = method.substring(dot + 1);
    String file = null;
    int line = -1;
    if (location.equals("Native Method")) {
      line = -2;
    } else if (!location.equals("Unknown Source")) {
      int colon = location.lastIndexOf(':');
      if (colon >= 0) {
        file = location.substring(0, colon);
        try {
          line = Integer.parseInt(location.substring(colon + 1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("not a stack frame: " + frame, e);
        }
      } else {
        file = location;
      }
    }
    return new StackTraceElement(loader, module, version, declaringClass, methodName, file, line);
  }

  private static Thread.State stateNamed(String name) {
    try {
      return Thread.State.valueOf(name);
    } catch (IllegalArgumentException e) {
      return null; // a state a future JDK adds: judged by its stack alone
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asObject(Object value, String what) {
    if (value instanceof Map<?, ?> map) {
      return (Map<String, Object>) map;
    }
    throw new IllegalArgumentException("unexpected thread dump format: " + what + " is " + value);
  }

  @SuppressWarnings("unchecked")
  private static List<Object> asArray(Object value, String what) {
    if (value instanceof List<?> list) {
      return (List<Object>) list;
    }
    throw new IllegalArgumentException("unexpected thread dump format: " + what + " is " + value);
  }

  private static void deleteQuietly(Path path) {
    if (path == null) {
      return;
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // Best effort: a leftover file in the temp directory is harmless.
    }
  }
}
