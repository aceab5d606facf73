#!/usr/bin/python3
# A real RTSP server for tests (GStreamer's gst-rtsp-server through PyGObject; Debian:
# gir1.2-gst-rtsp-server-1.0 python3-gi): serves an H.264 elementary-stream file at rtsp://127.0.0.1:<port><mount>,
# looped forever and paced in real time, without re-encoding (the file's access units are packetised as they are).
#
#   /usr/bin/python3 test/helpers/rtsp-server.py --file samples/sample_720p.h264 [--port 0] [--mount /cam] [--fps 30]
#
# Prints "port=<n>" on stdout once it listens (port 0 = any free port). Stop it with SIGTERM/SIGKILL; start it
# again with --port <n> to bring the "camera" back on the same address.
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def read_access_units(path):
    """The file's access units (one frame each), in order, read once with h264parse."""
    pipe = Gst.parse_launch(
        f'filesrc location="{path}" ! h264parse ! video/x-h264,stream-format=byte-stream,alignment=au '
        "! appsink name=sink sync=false emit-signals=false"
    )
    sink = pipe.get_by_name("sink")
    pipe.set_state(Gst.State.PLAYING)
    units = []
    while True:
        sample = sink.emit("pull-sample")
        if sample is None:
            break
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if ok:
            units.append(bytes(info.data))
            buf.unmap(info)
    pipe.set_state(Gst.State.NULL)
    if not units:
        raise SystemExit(f"rtsp-server: no H.264 access units in {path}")
    return units


class LoopingFactory(GstRtspServer.RTSPMediaFactory):
    """One media per client; each pushes the file's frames at the frame rate, from the first frame, forever."""

    def __init__(self, units, fps):
        super().__init__()
        self.units = units
        self.fps = fps
        self.set_shared(False)
        self.set_launch(
            "( appsrc name=src is-live=true do-timestamp=true format=time "
            f"caps=video/x-h264,stream-format=byte-stream,alignment=au,framerate={fps}/1 "
            "! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 )"
        )
        self.connect("media-configure", self.on_media_configure)

    def on_media_configure(self, _factory, media):
        src = media.get_element().get_by_name("src")
        state = {"next": 0, "timer": 0}

        def push():
            # Refused while the media is not playing yet (FLUSHING): the next frame goes instead.
            unit = self.units[state["next"] % len(self.units)]
            state["next"] += 1
            buf = Gst.Buffer.new_wrapped(unit)
            buf.duration = Gst.SECOND // self.fps
            src.emit("push-buffer", buf)
            return True

        def start(*_):
            if not state["timer"]:
                state["timer"] = GLib.timeout_add(max(1, 1000 // self.fps), push)

        def stop(*_):
            if state["timer"]:
                GLib.source_remove(state["timer"])
                state["timer"] = 0
            return False

        # From now (the payloader needs the first frames' SPS/PPS to describe the stream) until the media goes.
        start()
        media.connect("unprepared", stop)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--mount", default="/cam")
    ap.add_argument("--fps", type=int, default=30)
    a = ap.parse_args()
    Gst.init(None)
    units = read_access_units(a.file)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(a.port))
    server.get_mount_points().add_factory(a.mount, LoopingFactory(units, a.fps))
    if server.attach(None) == 0:
        raise SystemExit(f"rtsp-server: cannot listen on 127.0.0.1:{a.port}")
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(f"port={server.get_bound_port()}", flush=True)
    loop.run()


if __name__ == "__main__":
    sys.exit(main())
