package io.leakedproducer.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakedproducer.runtime.ThreadDumps.DumpedThread;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/** Reading the JDK's JSON thread dump, in the shapes JDK 21 and JDK 25 write. */
final class ThreadDumpsTest {

  @Test
  void readsTheJdk21ShapeWithoutStateOrVirtualFlag() {
    String json =
        """
        {
          "threadDump": {
            "processId": "4242",
            "time": "2025-01-01T00:00:00Z",
            "runtimeVersion": "21.0.5+11",
            "threadContainers": [
              {
                "container": "<root>",
                "parent": null,
                "owner": null,
                "threads": [
                  {
                    "tid": "31",
                    "name": "uploader \\"A\\"",
                    "stack": [
        "java.base\\/java.lang.VirtualThread.park(VirtualThread.java:582)",
        "java.base\\/java.util.concurrent.ArrayBlockingQueue.put(ArrayBlockingQueue.java:370)",
        "com.example.Uploader.lambda$upload$0(Uploader.java:12)"
                    ]
                  }
                ],
                "threadCount": "1"
              },
              {
                "container": "java.util.concurrent.ThreadPerTaskExecutor@1b2c3d",
                "parent": "<root>",
                "owner": null,
                "threads": [
                  { "tid": "32", "name": "", "stack": [ ] }
                ],
                "threadCount": "1"
              }
            ]
          }
        }
        """;

    List<DumpedThread> threads = ThreadDumps.parse(json);

    assertEquals(2, threads.size());
    DumpedThread uploader = threads.get(0);
    assertEquals(31, uploader.id());
    assertEquals("uploader \"A\"", uploader.name());
    assertNull(uploader.virtual());
    assertNull(uploader.state());
    assertEquals(3, uploader.stack().length);
    assertEquals("java.util.concurrent.ArrayBlockingQueue", uploader.stack()[1].getClassName());
    assertEquals("put", uploader.stack()[1].getMethodName());
    assertEquals(370, uploader.stack()[1].getLineNumber());
    assertEquals("", threads.get(1).name());
    assertEquals(0, threads.get(1).stack().length);
  }

  @Test
  void readsTheJdk25ShapeWithStateAndVirtualFlag() {
    String json =
        """
        {"threadDump": {"threadContainers": [{"container": "<root>", "threads": [
          {"tid": "3", "time": "x", "name": "main", "state": "RUNNABLE", "stack": []},
          {"tid": "23", "virtual": true, "name": "vprod", "state": "WAITING",
           "parkBlocker": {"object": "java.lang.Object@1"},
           "stack": ["java.base\\/java.lang.VirtualThread.park(VirtualThread.java:742)"]},
          {"tid": "24", "name": "future", "state": "SOME_NEW_STATE", "stack": []}
        ]}]}}
        """;

    List<DumpedThread> threads = ThreadDumps.parse(json);

    assertEquals(Thread.State.RUNNABLE, threads.get(0).state());
    assertNull(threads.get(0).virtual());
    assertEquals(Boolean.TRUE, threads.get(1).virtual());
    assertEquals(Thread.State.WAITING, threads.get(1).state());
    assertNull(threads.get(2).state(), "an unknown state is left to the stack");
  }

  @Test
  void malformedDumpFailsLoudly() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ThreadDumps.parse("{\"threadDump\": {\"threadContainers\": [}}"));
    assertEquals("malformed JSON at offset 37: unexpected '}'", e.getMessage());
    IllegalArgumentException shape =
        assertThrows(IllegalArgumentException.class, () -> ThreadDumps.parse("{\"x\": 1}"));
    assertEquals("unexpected thread dump format: threadDump is null", shape.getMessage());
  }

  @Test
  void parsesEveryFrameShapeThatStackTraceElementPrints() {
    assertFrame("java.base/java.lang.Thread.run(Thread.java:840)", "java.lang.Thread", "run");
    assertFrame(
        "java.base@17.0.15/java.lang.Thread.run(Thread.java:840)", "java.lang.Thread", "run");
    assertFrame("app//com.example.Foo.bar(Foo.java:10)", "com.example.Foo", "bar");
    assertFrame("com.example.Foo.bar(Foo.java:10)", "com.example.Foo", "bar");
    assertFrame(
        "app//com.example.Foo$$Lambda/0x00007f0001234.run(Unknown Source)",
        "com.example.Foo$$Lambda/0x00007f0001234",
        "run");
    StackTraceElement withModule =
        ThreadDumps.parseFrame("loader/my.module@1.0/com.example.Foo.bar(Foo.java:10)");
    assertEquals("loader", withModule.getClassLoaderName());
    assertEquals("my.module", withModule.getModuleName());
    assertEquals("1.0", withModule.getModuleVersion());
    assertEquals("Foo.java", withModule.getFileName());
    assertEquals(10, withModule.getLineNumber());
    assertTrue(
        ThreadDumps.parseFrame("java.base/jdk.internal.misc.Unsafe.park(Native Method)")
            .isNativeMethod());
    StackTraceElement unknown = ThreadDumps.parseFrame("com.example.Foo.bar(Unknown Source)");
    assertNull(unknown.getFileName());
    assertFalse(unknown.isNativeMethod());
    assertThrows(IllegalArgumentException.class, () -> ThreadDumps.parseFrame("no frame here"));
  }

  @Test
  void parsedFramesEqualTheRealOnes() {
    StackTraceElement[] real = new Throwable().getStackTrace();
    for (StackTraceElement frame : real) {
      StackTraceElement parsed = ThreadDumps.parseFrame(frame.toString());
      assertEquals(frame.getClassName(), parsed.getClassName(), frame.toString());
      assertEquals(frame.getMethodName(), parsed.getMethodName(), frame.toString());
      assertEquals(frame.isNativeMethod(), parsed.isNativeMethod(), frame.toString());
      if (!frame.isNativeMethod()) { // toString() prints no file name for a native method
        assertEquals(frame.getFileName(), parsed.getFileName(), frame.toString());
        assertEquals(frame.getLineNumber(), parsed.getLineNumber(), frame.toString());
      }
    }
  }

  @Test
  @EnabledForJreRange(max = JRE.JAVA_20, disabledReason = "the dump API exists from JDK 21 on")
  void noDumpBeforeJdk21() {
    assertFalse(ThreadDumps.available());
  }

  @Test
  @EnabledForJreRange(min = JRE.JAVA_21, disabledReason = "the dump API exists from JDK 21 on")
  void realDumpListsThisThreadWithItsStack() {
    assertTrue(ThreadDumps.available());
    long self = Thread.currentThread().getId();
    DumpedThread me =
        ThreadDumps.dump().stream().filter(t -> t.id() == self).findFirst().orElseThrow();
    assertEquals(Thread.currentThread().getName(), me.name());
    assertArrayEquals(
        new String[] {ThreadDumpsTest.class.getName(), "realDumpListsThisThreadWithItsStack"},
        java.util.Arrays.stream(me.stack())
            .filter(f -> f.getClassName().equals(ThreadDumpsTest.class.getName()))
            .map(f -> new String[] {f.getClassName(), f.getMethodName()})
            .findFirst()
            .orElseThrow());
  }

  private static void assertFrame(String text, String className, String method) {
    StackTraceElement frame = ThreadDumps.parseFrame(text);
    assertEquals(className, frame.getClassName(), text);
    assertEquals(method, frame.getMethodName(), text);
  }
}
