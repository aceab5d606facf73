/* The converter interface of DeepStream's nvmsgconv (sources/libs/nvmsgconv/nvmsgconv.h in 6.x-8.x installs,
 * src/utils/nvmsgconv/nvmsgconv.h in the 9.x sources), for SDK installs that do not ship that header (9.x
 * installed by NVIDIA's script). Same names, same layouts as the SDK's: NvDsMsg2pCtx is {payloadType,
 * privData} in every release checked (6.0-6.3, 9.1); NvDsMsg2pMetaInfo starts with objMeta, frameMeta,
 * mediaType in all of them (9.x appends datamap; nvmsgconv allocates it, the converter reads the first two).
 * Used only when nvmsgconv.h is absent (DSK_HAVE_NVMSGCONV_H=0). */
#ifndef DSKAFKA_NVMSGCONV_DECLS_H_
#define DSKAFKA_NVMSGCONV_DECLS_H_

#include <glib.h>

#include "nvdsmeta_schema.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct NvDsMsg2pCtx {
  NvDsPayloadType payloadType;
  gpointer privData;
} NvDsMsg2pCtx;

typedef struct {
  void *objMeta;
  void *frameMeta;
  gchar *mediaType;
} NvDsMsg2pMetaInfo;

NvDsMsg2pCtx *nvds_msg2p_ctx_create(const gchar *file, NvDsPayloadType type);
void nvds_msg2p_ctx_destroy(NvDsMsg2pCtx *ctx);
NvDsPayload *nvds_msg2p_generate(NvDsMsg2pCtx *ctx, NvDsEvent *events, guint size);
NvDsPayload **nvds_msg2p_generate_multiple(NvDsMsg2pCtx *ctx, NvDsEvent *events, guint size, guint *payloadCount);
NvDsPayload *nvds_msg2p_generate_new(NvDsMsg2pCtx *ctx, void *metadataInfo);
NvDsPayload **nvds_msg2p_generate_multiple_new(NvDsMsg2pCtx *ctx, void *metadataInfo, guint *payloadCount);
void nvds_msg2p_release(NvDsMsg2pCtx *ctx, NvDsPayload *payload);

#ifdef __cplusplus
}
#endif

#endif /* DSKAFKA_NVMSGCONV_DECLS_H_ */
