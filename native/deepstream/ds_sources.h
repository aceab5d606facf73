// The DeepStream pipeline's sources meet nvstreammux here: a decodebin's decoded video pad is linked to the
// muxer's sink_N when it appears, and a source that failed is cut off at that pad (an EOS ends the pad,
// everything else it still sends is dropped) so nvstreammux goes on with the other streams.
#pragma once

#include <gst/gst.h>

#include <atomic>

namespace dsk::ds {

// Links `decodebin`'s decoded NVMM video to `muxSink` (which it refs) when the pad appears. Problems (not an
// NVIDIA decoder, no video at all, a refused link) are posted as errors of the decodebin, so the bus thread
// can end that stream alone. Nothing is linked once *failed is set.
void linkDecodedVideo(GstElement* decodebin, GstPad* muxSink, const std::atomic<bool>* failed);

// Ends one muxer sink pad: a probe drops whatever its source still sends, then an EOS of our own ends the pad.
// No state change on the source (that could race the pipeline's own state changes).
void endMuxerPad(GstPad* muxSink);

}  // namespace dsk::ds
