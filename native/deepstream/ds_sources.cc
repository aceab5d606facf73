#include "deepstream/ds_sources.h"

namespace dsk::ds {

namespace {

struct PadTarget {
  GstPad* muxSink;                  // owned
  const std::atomic<bool>* failed;  // the stream was isolated: link nothing more
};

void onDecodedPad(GstElement* decodebin, GstPad* pad, gpointer data) {
  auto* target = static_cast<PadTarget*>(data);
  GstCaps* caps = gst_pad_get_current_caps(pad);
  if (!caps) caps = gst_pad_query_caps(pad, nullptr);
  if (!caps || gst_caps_is_empty(caps)) {
    if (caps) gst_caps_unref(caps);
    return;
  }
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  const GstCapsFeatures* f = gst_caps_get_features(caps, 0);
  const bool video = g_str_has_prefix(gst_structure_get_name(s), "video/");
  const bool nvmm = f && gst_caps_features_contains(f, "memory:NVMM");
  gst_caps_unref(caps);
  if (!video || gst_pad_is_linked(target->muxSink) || target->failed->load()) return;
  if (!nvmm) {
    GST_ELEMENT_ERROR(decodebin, STREAM, DECODE, ("the decoder is not an NVIDIA decoder (no NVMM output)"), (nullptr));
    return;
  }
  const GstPadLinkReturn r = gst_pad_link(pad, target->muxSink);
  if (r != GST_PAD_LINK_OK)
    GST_ELEMENT_ERROR(decodebin, CORE, NEGOTIATION, ("cannot link the decoded video to nvstreammux (%s)", gst_pad_link_get_name(r)),
                      (nullptr));
}

// No video pad at all (audio-only input, unknown format): the stream would never reach EOS.
void onNoMorePads(GstElement* decodebin, gpointer data) {
  auto* target = static_cast<PadTarget*>(data);
  if (!gst_pad_is_linked(target->muxSink) && !target->failed->load())
    GST_ELEMENT_ERROR(decodebin, STREAM, WRONG_TYPE, ("the input has no video stream"), (nullptr));
}

void freePadTarget(gpointer data, GClosure*) {
  auto* target = static_cast<PadTarget*>(data);
  gst_object_unref(target->muxSink);
  delete target;
}

// On the muxer pad of an isolated stream: drops whatever the source still sends (a camera that keeps retrying, the
// rest of a damaged file), except the EOS that ends the pad (its seqnum is the probe's data).
GstPadProbeReturn dropIsolated(GstPad*, GstPadProbeInfo* info, gpointer eosSeqnum) {
  if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent* ev = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(ev) == GST_EVENT_EOS && gst_event_get_seqnum(ev) == GPOINTER_TO_UINT(eosSeqnum)) return GST_PAD_PROBE_OK;
  }
  return GST_PAD_PROBE_DROP;
}

}  // namespace

void linkDecodedVideo(GstElement* decodebin, GstPad* muxSink, const std::atomic<bool>* failed) {
  auto* target = new PadTarget{GST_PAD(gst_object_ref(muxSink)), failed};
  g_signal_connect_data(decodebin, "pad-added", G_CALLBACK(onDecodedPad), target, freePadTarget, GConnectFlags(0));
  if (g_signal_lookup("no-more-pads", G_OBJECT_TYPE(decodebin)))
    g_signal_connect(decodebin, "no-more-pads", G_CALLBACK(onNoMorePads), target);
}

void endMuxerPad(GstPad* muxSink) {
  const guint32 seqnum = gst_util_seqnum_next();
  gst_pad_add_probe(muxSink,
                    GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                    dropIsolated, GUINT_TO_POINTER(seqnum), nullptr);
  GstEvent* eos = gst_event_new_eos();
  gst_event_set_seqnum(eos, seqnum);
  gst_pad_send_event(muxSink, eos);
}

}  // namespace dsk::ds
