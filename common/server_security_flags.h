// The security flags every server binary takes (common/server_security.h),
// defined once here for ingest_server, store_server and query_server.
#ifndef COMMON_SERVER_SECURITY_FLAGS_H_
#define COMMON_SERVER_SECURITY_FLAGS_H_

#include "common/server_security.h"

namespace archive {

// After absl::ParseCommandLine.
ServerSecurity ServerSecurityFromFlags();

}  // namespace archive

#endif  // COMMON_SERVER_SECURITY_FLAGS_H_
