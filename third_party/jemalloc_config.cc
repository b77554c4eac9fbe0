// jemalloc's options for the servers, read by jemalloc when it starts.
//
// background_thread: dirty pages are returned to the system by jemalloc's
// own threads rather than inside the servers' malloc and free calls, so a
// call does not pay for purging what an earlier one freed.
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "background_thread:true";
}
