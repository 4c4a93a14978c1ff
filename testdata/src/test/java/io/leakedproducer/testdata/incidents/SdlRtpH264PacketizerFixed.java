// Reduction of SmartDeviceLink Android https://github.com/smartdevicelink/sdl_java_suite/issues/1398,
// as fixed by PR https://github.com/smartdevicelink/sdl_java_suite/pull/1480 (commit fdfecc144 "Fix
// potential deadlock in media streaming classes"): the packetizer drops encoder output once its
// sending thread is gone (the thread field is cleared or interrupted by stop(), which then clears
// the queue), testing that before every put, fragment by fragment; start() clears what a previous
// run left in the queue. Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Packs H.264 output into RTP frames (RFC 6184) and sends them to the head unit. */
public class SdlRtpH264PacketizerFixed implements Runnable {

  /** One SDL frame on the wire. */
  static final class ProtocolMessage {
    final byte sessionId;
    final byte[] data;

    ProtocolMessage(byte sessionId, byte[] data) {
      this.sessionId = sessionId;
      this.data = data;
    }
  }

  /** The transport below the packetizer. */
  interface StreamListener {
    void sendStreamPacket(ProtocolMessage message);
  }

  /** The SDL session the video service belongs to. */
  static final class Session {
    private final CountDownLatch videoEnded = new CountDownLatch(1);
    private final int mtu;

    Session(int mtu) {
      this.mtu = mtu;
    }

    long getMtu() {
      return mtu;
    }

    void endService() {
      videoEnded.countDown();
    }

    boolean awaitVideoEnded() throws InterruptedException {
      return videoEnded.await(5, TimeUnit.SECONDS);
    }
  }

  // Roughly how many bytes the queue may hold: enough to ride out a short transport stall.
  private static final int MAX_QUEUE_SIZE = 4 * 1024;
  private static final int FRAME_LENGTH_LEN = 2;
  private static final int MAX_RTP_PACKET_SIZE = 65535;
  private static final int RTP_HEADER_LEN = 12;
  private static final int FU_INDICATOR_LEN = 1;
  private static final int FU_HEADER_LEN = 1;
  private static final byte TYPE_FU_A = 28;

  private final StreamListener streamListener;
  private final Session session;
  private final byte sessionId;
  private final int bufferSize;
  private Thread mThread;
  private final BlockingQueue<ByteBuffer> mOutputQueue;
  private volatile boolean mPaused;
  private boolean mWaitForIdr;
  private final NalUnitReader mNalUnitReader = new NalUnitReader();
  private final int mSsrc;
  private char mSequenceNum;

  SdlRtpH264PacketizerFixed(StreamListener streamListener, byte sessionId, Session session) {
    this.streamListener = streamListener;
    this.sessionId = sessionId;
    this.session = session;
    int mtu = (int) session.getMtu();
    this.bufferSize = mtu == 0 ? 1024 : mtu;
    this.mOutputQueue = new LinkedBlockingQueue<>(MAX_QUEUE_SIZE / bufferSize);
    Random r = new Random();
    this.mSsrc = r.nextInt();
    this.mSequenceNum = (char) r.nextInt(65536);
  }

  /** Starts the sending thread; the encoder should be started after this. */
  public void start() {
    if (mThread != null) {
      return;
    }
    mOutputQueue.clear();
    mThread = new Thread(this, "RTPH264Packetizer");
    mThread.setDaemon(true);
    mThread.start();
  }

  /** Stops the sending thread; the encoder should have been stopped before this. */
  public void stop() {
    if (mThread == null) {
      return;
    }
    mThread.interrupt();
    mThread = null;
    mPaused = false;
    mWaitForIdr = false;
    mOutputQueue.clear();
  }

  public void pause() {
    mPaused = true;
  }

  public void resume() {
    mWaitForIdr = true;
    mPaused = false;
  }

  @Override
  public void run() {
    while (mThread != null && !mThread.isInterrupted()) {
      ByteBuffer frame;
      try {
        frame = mOutputQueue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      while (frame.hasRemaining()) {
        int len = Math.min(frame.remaining(), bufferSize);
        byte[] chunk = new byte[len];
        frame.get(chunk);
        streamListener.sendStreamPacket(new ProtocolMessage(sessionId, chunk));
      }
    }
    // The packetizer also ends the video service when its thread leaves.
    session.endService();
  }

  /** Called by the encoder (and by the app) with one encoded frame. */
  public void sendFrame(byte[] data, int offset, int length, long presentationTimeUs) {
    mNalUnitReader.init(data, offset, length);
    onEncoderOutput(mNalUnitReader, presentationTimeUs);
  }

  private void onEncoderOutput(NalUnitReader reader, long ptsInUs) {
    if (mPaused) {
      return;
    }
    ByteBuffer nalUnit;
    while ((nalUnit = reader.getNalUnit()) != null) {
      if (mWaitForIdr) {
        if (isIdr(nalUnit)) {
          mWaitForIdr = false;
        } else {
          continue;
        }
      }
      outputRtpFrames(nalUnit, ptsInUs, reader.hasConsumedAll());
    }
  }

  private boolean outputRtpFrames(ByteBuffer nalUnit, long ptsInUs, boolean isLast) {
    if (mThread == null || mThread.isInterrupted()) {
      System.out.println("Dropping potential buffer because consumer thread is not alive");
      return false;
    }
    if (RTP_HEADER_LEN + nalUnit.remaining() > MAX_RTP_PACKET_SIZE) {
      // Too big for one RTP packet: split into fragmentation units.
      byte firstByte = nalUnit.get();
      boolean firstFragment = true;
      boolean lastFragment = false;
      while (nalUnit.remaining() > 0 && mThread != null && !mThread.isInterrupted()) {
        int payloadLength = MAX_RTP_PACKET_SIZE - (RTP_HEADER_LEN + FU_INDICATOR_LEN + FU_HEADER_LEN);
        if (nalUnit.remaining() <= payloadLength) {
          payloadLength = nalUnit.remaining();
          lastFragment = true;
        }
        ByteBuffer frame =
            allocateRtpFrame(FU_INDICATOR_LEN + FU_HEADER_LEN + payloadLength, isLast, ptsInUs);
        frame.put((byte) ((firstByte & 0xE0) | TYPE_FU_A));
        frame.put((byte) ((firstFragment ? 0x80 : lastFragment ? 0x40 : 0) | (firstByte & 0x1F)));
        frame.put(nalUnit.array(), nalUnit.position(), payloadLength);
        nalUnit.position(nalUnit.position() + payloadLength);
        frame.flip();
        try {
          mOutputQueue.put(frame);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
        firstFragment = false;
      }
    } else {
      ByteBuffer frame = allocateRtpFrame(nalUnit.remaining(), isLast, ptsInUs);
      frame.put(nalUnit);
      frame.flip();
      try {
        mOutputQueue.put(frame);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private ByteBuffer allocateRtpFrame(int rtpPayloadLen, boolean isLast, long ptsInUs) {
    if (rtpPayloadLen <= 0) {
      throw new IllegalArgumentException("Invalid rtpPayloadLen value: " + rtpPayloadLen);
    }
    int packetLength = RTP_HEADER_LEN + rtpPayloadLen;
    ByteBuffer frame = ByteBuffer.allocate(FRAME_LENGTH_LEN + packetLength);
    frame.order(ByteOrder.BIG_ENDIAN);
    frame.putShort((short) packetLength);
    frame.put((byte) 0x80)
        .put((byte) ((isLast ? 0x80 : 0) | 96))
        .putChar(mSequenceNum)
        .putInt((int) (ptsInUs * 9 / 100))
        .putInt(mSsrc);
    mSequenceNum++;
    return frame;
  }

  private static boolean isIdr(ByteBuffer nalUnit) {
    return (nalUnit.get(nalUnit.position()) & 0x1F) == 5;
  }

  /** Splits an Annex B byte stream at its 00 00 01 start codes. */
  private static final class NalUnitReader {
    private byte[] data;
    private int offset;
    private int limit;

    void init(byte[] data, int offset, int length) {
      if (offset < 0 || length <= 0 || offset + length > data.length) {
        throw new ArrayIndexOutOfBoundsException();
      }
      this.data = data;
      this.offset = offset;
      this.limit = offset + length;
    }

    ByteBuffer getNalUnit() {
      int start = findStartCode(offset);
      if (start < 0) {
        return null;
      }
      int begin = start + 3;
      int next = findStartCode(begin);
      int end = next < 0 ? limit : next;
      offset = end;
      return ByteBuffer.wrap(data, begin, end - begin).slice();
    }

    boolean hasConsumedAll() {
      return offset >= limit;
    }

    private int findStartCode(int from) {
      for (int i = from; i + 2 < limit; i++) {
        if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
          return i;
        }
      }
      return -1;
    }
  }

  /** An encoded frame with one NAL unit of the given size. */
  static byte[] encodedFrame(int nalSize, boolean idr) {
    byte[] frame = new byte[3 + nalSize];
    frame[2] = 1;
    frame[3] = (byte) (idr ? 0x65 : 0x41);
    for (int i = 4; i < frame.length; i++) {
      frame[i] = (byte) 0x7F;
    }
    return frame;
  }

  public static void main(String[] args) throws Exception {
    AtomicInteger sent = new AtomicInteger();
    Session session = new Session(1024);
    SdlRtpH264PacketizerFixed packetizer =
        new SdlRtpH264PacketizerFixed(m -> sent.incrementAndGet(), (byte) 1, session);
    packetizer.start();
    packetizer.sendFrame(encodedFrame(2000, true), 0, 2003, 0);

    // The head unit activates another app: OnHMIStatus(BACKGROUND, NOT_STREAMABLE) stops the
    // packetizer at once; the encoder keeps running until EndService is acknowledged.
    packetizer.stop();
    System.out.println("video service ended: " + session.awaitVideoEnded());

    List<Thread> producers = new ArrayList<>();
    // The encoder's output callback hands over a keyframe too big for one RTP packet.
    Thread encoder = new Thread(() -> {
      for (int i = 1; i <= 5; i++) {
        packetizer.sendFrame(encodedFrame(100_000, true), 0, 100_003, i * 33_000L);
      }
    }, "VirtualDisplayEncoder");
    encoder.setDaemon(true);
    producers.add(encoder);
    encoder.start();
    waitUntilParked(encoder);
    // The app's main thread pushes a small still frame of its own.
    Thread ui = new Thread(() -> packetizer.sendFrame(encodedFrame(500, false), 0, 503, 200_000L),
        "main-ui");
    ui.setDaemon(true);
    producers.add(ui);
    ui.start();
    waitUntilParked(ui);
    System.out.println("packets sent: " + sent.get() + "; producers parked: "
        + producers.stream().filter(t -> t.getState() == Thread.State.WAITING).count());
  }

  private static void waitUntilParked(Thread t) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (t.isAlive() && t.getState() != Thread.State.WAITING
        && t.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }
}
