/* The object that ds-kafka's DeepStream probe hangs on NvDsEventMsgMeta.extMsg, and that ds-kafka's
 * message-converter library (libnvds_dskafka_msgconv.so) recognises by its magic: the finished JSON
 * payload, built by the same core code as the CPU backend. Plain C, no DeepStream or GLib dependency, so
 * third-party probes (C, C++, or Python through ctypes) can produce it too.
 *
 *   NvDsEventMsgMeta.extMsg     = a DskExtMsg*
 *   NvDsEventMsgMeta.extMsgSize = sizeof(DskExtMsg)
 *
 * Ownership: the event meta owns the DskExtMsg and its payload; the meta's copy function deep-copies both
 * and its release function frees both (malloc/free: dsk::msgconv::extMsgNew/extMsgCopy/extMsgFree in
 * native/core/msgconv/extmsg.h). `payload` is UTF-8 JSON, NUL-terminated; payloadSize excludes the NUL.
 * A converter must check magic, version and extMsgSize >= sizeof(DskExtMsg) before trusting the rest. */
#ifndef DSKAFKA_EXTMSG_H_
#define DSKAFKA_EXTMSG_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "DSKM" read as a little-endian uint32. */
#define DSK_EXTMSG_MAGIC 0x4D4B5344u
#define DSK_EXTMSG_VERSION 1u

typedef struct DskExtMsg {
  uint32_t magic;     /* DSK_EXTMSG_MAGIC */
  uint32_t version;   /* DSK_EXTMSG_VERSION */
  char* payload;      /* NUL-terminated JSON */
  size_t payloadSize; /* strlen(payload) */
} DskExtMsg;

#ifdef __cplusplus
}
#endif

#endif /* DSKAFKA_EXTMSG_H_ */
