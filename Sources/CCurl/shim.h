// libcurl for the ModelHub target. curl_easy_setopt and curl_easy_getinfo are variadic,
// which Swift cannot call, so each type of argument gets a typed inline wrapper.
#ifndef MODELD_CCURL_SHIM_H
#define MODELD_CCURL_SHIM_H

#include <curl/curl.h>

static inline CURLcode modeld_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode modeld_curl_setopt_int64(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode modeld_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode modeld_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode modeld_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

/// Body and header callbacks share curl's write-callback signature.
typedef size_t (*modeld_curl_write_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode modeld_curl_setopt_write(CURL *handle, CURLoption option, modeld_curl_write_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline long modeld_curl_response_code(CURL *handle) {
    long code = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &code);
    return code;
}

#endif
