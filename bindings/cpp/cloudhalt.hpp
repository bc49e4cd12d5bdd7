// cloudhalt.hpp: a header-only C++17 wrapper over include/cloudhalt.h.
//
// RAII handles (move-only), std::string_view inputs, and one exception type, cloudhalt::Error,
// carrying the status, kind, send state, field, the provider's code, the message and the
// RequestId of a failed call. A string argument with an embedded NUL is refused with an Error
// of kind invalid_input naming the argument (C would silently cut it short).
//
//   cloudhalt::Tencent tencent = cloudhalt::Tencent::from_env();
//   cloudhalt::Response r = tencent.stop_instances("ap-guangzhou", {"ins-r8hr2upy"});
//   std::cout << r.request_id() << "\n";
//
// Thread safety: a client may be shared by any number of threads (it wraps a thread-safe C
// handle). Error details are copied into the exception on the failing thread, right after the
// failing call, so they stay valid for the exception's lifetime.
#ifndef CLOUDHALT_HPP
#define CLOUDHALT_HPP

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cloudhalt.h"

namespace cloudhalt {

/// A failed call: the C status plus the thread-local details, copied at the time of failure.
class Error : public std::runtime_error {
 public:
  /// All the details of a failure, as cloudhalt_last_error_*() describe it.
  Error(cloudhalt_status status, const std::string &message, std::optional<std::string> code,
        std::optional<std::string> request_id, int http_status, std::string kind,
        std::string send_state, std::optional<std::string> field)
      : std::runtime_error(message),
        status_(status),
        code_(std::move(code)),
        request_id_(std::move(request_id)),
        http_status_(http_status),
        kind_(std::move(kind)),
        send_state_(std::move(send_state)),
        field_(std::move(field)) {}

  /// The original constructor: kind, send state and field are derived conservatively (the kind
  /// from the status is unknown here, so "api"; the send state "sent_no_answer", which counts
  /// as "may have been sent").
  Error(cloudhalt_status status, const std::string &message, std::optional<std::string> code,
        std::optional<std::string> request_id, int http_status)
      : Error(status, message, std::move(code), std::move(request_id), http_status, "api",
              "sent_no_answer", std::nullopt) {}

  /// The status the C call returned (never CLOUDHALT_OK).
  cloudhalt_status status() const noexcept { return status_; }
  /// The status's C name, e.g. "CLOUDHALT_NOT_FOUND".
  const char *status_name() const noexcept {
    return cloudhalt_status_name(static_cast<int>(status_));
  }
  /// The provider's error code, when the provider answered one.
  const std::optional<std::string> &code() const noexcept { return code_; }
  /// The provider's RequestId, when an answer carried one.
  const std::optional<std::string> &request_id() const noexcept { return request_id_; }
  /// The HTTP status of the answer, 0 when there was none.
  int http_status() const noexcept { return http_status_; }
  /// The message (the same text as what()): names the bad argument, or the provider's words.
  std::string_view message() const noexcept { return what(); }
  /// The kind, spelled as in tests/vectors/errors.json: "invalid_input", "not_found",
  /// "state_conflict" ... (or "panic" for a bug caught at the C boundary).
  const std::string &kind() const noexcept { return kind_; }
  /// How far the request got (cloudhalt_last_error_send_state()): "not_built", "not_sent",
  /// "sent_no_answer" or "answered".
  const std::string &send_state() const noexcept { return send_state_; }
  /// For an input error: the offending field or argument ("InstanceIds", "instance_ids").
  const std::optional<std::string> &field() const noexcept { return field_; }
  /// True when the request may have reached the provider and may have taken effect: check the
  /// resources before sending it again. Only "not_built" and "not_sent" are safe to resend; a
  /// send state this header does not know counts as "may have been sent".
  bool may_have_been_sent() const noexcept {
    return send_state_ != "not_built" && send_state_ != "not_sent";
  }

 private:
  cloudhalt_status status_;
  std::optional<std::string> code_;
  std::optional<std::string> request_id_;
  int http_status_;
  std::string kind_;
  std::string send_state_;
  std::optional<std::string> field_;
};

namespace detail {

inline std::optional<std::string> opt(const char *s) {
  return s ? std::optional<std::string>(s) : std::nullopt;
}

/// Throws cloudhalt::Error for any status but CLOUDHALT_OK, reading this thread's last error.
inline void check(cloudhalt_status status) {
  if (status == CLOUDHALT_OK) return;
  const char *message = cloudhalt_last_error_message();
  const char *kind = cloudhalt_last_error_kind();
  const char *send_state = cloudhalt_last_error_send_state();
  throw Error(status, message ? message : cloudhalt_status_name(static_cast<int>(status)),
              opt(cloudhalt_last_error_code()), opt(cloudhalt_last_error_request_id()),
              cloudhalt_last_error_http_status(), kind ? kind : "api",
              // No details at all (a call during thread teardown): assume the worst.
              send_state ? send_state : "sent_no_answer", opt(cloudhalt_last_error_field()));
}

/// The error for a string argument C cannot carry: a NUL byte would end the C string there and
/// silently send a shorter value. The message gives the offset only, never the value (it may be
/// a secret).
inline Error nul_error(const std::string &name, std::size_t offset) {
  return Error(CLOUDHALT_INVALID_INPUT,
               name + " contains a NUL byte at offset " + std::to_string(offset) +
                   ": a C string would end there and send a shorter value; pass text without NUL",
               std::nullopt, std::nullopt, 0, "invalid_input", "not_built", name);
}

/// NUL-terminated copies of string_view arguments, alive for the duration of one call.
/// A deque never moves its elements, so every c_str() stays valid until the call returns.
/// A value with an embedded NUL is refused (cloudhalt::Error, kind invalid_input, naming the
/// argument) before anything is called.
class Args {
 public:
  const char *str(std::string_view s, const char *name) {
    std::size_t nul = s.find('\0');
    if (nul != std::string_view::npos) throw nul_error(name, nul);
    return owned_.emplace_back(s).c_str();
  }
  const char *opt(const std::optional<std::string_view> &s, const char *name) {
    return s ? str(*s, name) : nullptr;
  }
  /// The array and its length; an empty vector is passed as (NULL, 0), which the C functions
  /// that need IDs refuse.
  const char *const *list(const std::vector<std::string_view> &ids, const char *name) {
    for (std::size_t i = 0; i < ids.size(); i++) {
      std::size_t nul = ids[i].find('\0');
      if (nul != std::string_view::npos)
        throw nul_error(std::string(name) + "[" + std::to_string(i) + "]", nul);
      ptrs_.push_back(owned_.emplace_back(ids[i]).c_str());
    }
    return ptrs_.empty() ? nullptr : ptrs_.data();
  }

 private:
  std::deque<std::string> owned_;
  std::vector<const char *> ptrs_;
};

template <typename T, void (*Free)(T *)>
struct Deleter {
  void operator()(T *p) const noexcept { Free(p); }
};

}  // namespace detail

/// A successful answer. Owns the C response; strings are copied out on demand.
class Response {
 public:
  explicit Response(cloudhalt_response *r) noexcept : r_(r) {}
  /// The provider's RequestId (borrowed from this object).
  std::string_view request_id() const noexcept { return cloudhalt_response_request_id(r_.get()); }
  /// The provider's whole answer as JSON (borrowed from this object).
  std::string_view json() const noexcept { return cloudhalt_response_json(r_.get()); }

 private:
  std::unique_ptr<cloudhalt_response, detail::Deleter<cloudhalt_response, cloudhalt_response_free>> r_;
};

/// Options of Tencent::stop_instances (the provider's defaults when left empty).
struct StopOptions {
  bool force_stop = false;                     ///< ForceStop (deprecated by the provider)
  std::optional<std::string_view> stop_type;   ///< "SOFT", "HARD" or "SOFT_FIRST"
  std::optional<std::string_view> stopped_mode;  ///< "KEEP_CHARGING" or "STOP_CHARGING"
};

/// Options of Tencent::terminate_instances (everything is kept when left false).
struct TerminateOptions {
  bool release_address = false;             ///< ReleaseAddress: also release the elastic IPs
  bool release_prepaid_data_disks = false;  ///< ReleasePrepaidDataDisks
};

/// A Tencent Cloud client (move-only, thread-safe).
class Tencent {
 public:
  /// Explicit credentials; `token` for STS credentials. Throws cloudhalt::Error.
  static Tencent create(std::string_view secret_id, std::string_view secret_key,
                        std::optional<std::string_view> token = std::nullopt) {
    detail::Args a;
    cloudhalt_tencent *c = nullptr;
    const char *id = a.str(secret_id, "secret_id");
    const char *key = a.str(secret_key, "secret_key");
    const char *token_c = a.opt(token, "token");
    detail::check(cloudhalt_tencent_new(id, key, token_c, &c));
    return Tencent(c);
  }
  /// Credentials from TENCENTCLOUD_SECRET_ID / _SECRET_KEY / _SESSION_TOKEN.
  static Tencent from_env() {
    cloudhalt_tencent *c = nullptr;
    detail::check(cloudhalt_tencent_from_env(&c));
    return Tencent(c);
  }

  /// Sends every later request to `url` (the emulator, a proxy).
  void set_endpoint(std::string_view url) {
    detail::Args a;
    detail::check(cloudhalt_tencent_set_endpoint(c_.get(), a.str(url, "url")));
  }
  /// The total timeout of each later request.
  void set_timeout_ms(std::uint32_t ms) {
    detail::check(cloudhalt_tencent_set_timeout_ms(c_.get(), ms));
  }

  /// CVM StopInstances.
  Response stop_instances(std::string_view region, const std::vector<std::string_view> &ids,
                          const StopOptions &options = {}) {
    detail::Args a;
    cloudhalt_response *r = nullptr;
    const char *region_c = a.str(region, "region");
    const char *const *list = a.list(ids, "instance_ids");
    const char *stop_type = a.opt(options.stop_type, "stop_type");
    const char *stopped_mode = a.opt(options.stopped_mode, "stopped_mode");
    detail::check(cloudhalt_tencent_stop_instances(c_.get(), region_c, list, ids.size(),
                                                   options.force_stop, stop_type, stopped_mode,
                                                   &r));
    return Response(r);
  }
  /// CVM TerminateInstances (never re-sent by cloudhalt), keeping or releasing what `options`
  /// says.
  Response terminate_instances(std::string_view region, const std::vector<std::string_view> &ids,
                               const TerminateOptions &options) {
    detail::Args a;
    cloudhalt_response *r = nullptr;
    const char *region_c = a.str(region, "region");
    const char *const *list = a.list(ids, "instance_ids");
    detail::check(cloudhalt_tencent_terminate_instances_ex(c_.get(), region_c, list, ids.size(),
                                                           options.release_address,
                                                           options.release_prepaid_data_disks,
                                                           &r));
    return Response(r);
  }
  /// CVM TerminateInstances (never re-sent by cloudhalt).
  Response terminate_instances(std::string_view region, const std::vector<std::string_view> &ids,
                               bool release_prepaid_data_disks = false,
                               bool release_address = false) {
    return terminate_instances(region, ids, TerminateOptions{release_address,
                                                             release_prepaid_data_disks});
  }
  /// TAT CancelInvocation on the listed instances. An empty list (`{}` included) is refused
  /// with CLOUDHALT_INVALID_INPUT, never taken as "every instance".
  Response cancel_invocation(std::string_view region, std::string_view invocation_id,
                             const std::vector<std::string_view> &ids) {
    detail::Args a;
    cloudhalt_response *r = nullptr;
    const char *region_c = a.str(region, "region");
    const char *inv = a.str(invocation_id, "invocation_id");
    const char *const *list = a.list(ids, "instance_ids");
    detail::check(cloudhalt_tencent_cancel_invocation_instances(c_.get(), region_c, inv, list,
                                                                ids.size(), &r));
    return Response(r);
  }
  /// TAT CancelInvocation on every instance of the invocation.
  Response cancel_invocation_all_instances(std::string_view region,
                                           std::string_view invocation_id) {
    detail::Args a;
    cloudhalt_response *r = nullptr;
    const char *region_c = a.str(region, "region");
    const char *inv = a.str(invocation_id, "invocation_id");
    detail::check(cloudhalt_tencent_cancel_invocation_all_instances(c_.get(), region_c, inv, &r));
    return Response(r);
  }
  /// TAT CancelInvocation on every instance of the invocation, as before; prefer
  /// cancel_invocation_all_instances(), which says so.
  Response cancel_invocation(std::string_view region, std::string_view invocation_id,
                             std::nullopt_t = std::nullopt) {
    return cancel_invocation_all_instances(region, invocation_id);
  }
  /// Auto Scaling CancelInstanceRefresh; `region` is optional for this operation.
  Response cancel_instance_refresh(std::string_view auto_scaling_group_id,
                                   std::string_view refresh_activity_id,
                                   std::optional<std::string_view> region = std::nullopt) {
    detail::Args a;
    cloudhalt_response *r = nullptr;
    const char *region_c = a.opt(region, "region");
    const char *group = a.str(auto_scaling_group_id, "auto_scaling_group_id");
    const char *activity = a.str(refresh_activity_id, "refresh_activity_id");
    detail::check(
        cloudhalt_tencent_cancel_instance_refresh(c_.get(), region_c, group, activity, &r));
    return Response(r);
  }
  /// Any Tencent operation by name with the provider's JSON parameters; returns the JSON answer.
  std::string call_json(std::string_view action, std::string_view params_json,
                        std::optional<std::string_view> region = std::nullopt) {
    detail::Args a;
    char *out = nullptr;
    const char *action_c = a.str(action, "action");
    const char *region_c = a.opt(region, "region");
    const char *params = a.str(params_json, "params_json");
    detail::check(cloudhalt_tencent_call_json(c_.get(), action_c, region_c, params, &out));
    std::unique_ptr<char, detail::Deleter<char, cloudhalt_string_free>> owned(out);
    return std::string(owned.get());
  }

  /// The C handle, still owned by this object.
  cloudhalt_tencent *get() const noexcept { return c_.get(); }

 private:
  explicit Tencent(cloudhalt_tencent *c) noexcept : c_(c) {}
  std::unique_ptr<cloudhalt_tencent, detail::Deleter<cloudhalt_tencent, cloudhalt_tencent_free>> c_;
};

/// An Alibaba Cloud client (move-only, thread-safe).
class Alibaba {
 public:
  /// Explicit AccessKey; `security_token` for STS credentials. Throws cloudhalt::Error.
  static Alibaba create(std::string_view access_key_id, std::string_view access_key_secret,
                        std::optional<std::string_view> security_token = std::nullopt) {
    detail::Args a;
    cloudhalt_alibaba *c = nullptr;
    const char *id = a.str(access_key_id, "access_key_id");
    const char *secret = a.str(access_key_secret, "access_key_secret");
    const char *token = a.opt(security_token, "security_token");
    detail::check(cloudhalt_alibaba_new(id, secret, token, &c));
    return Alibaba(c);
  }
  /// Credentials from ALIBABA_CLOUD_ACCESS_KEY_ID / _ACCESS_KEY_SECRET / _SECURITY_TOKEN.
  static Alibaba from_env() {
    cloudhalt_alibaba *c = nullptr;
    detail::check(cloudhalt_alibaba_from_env(&c));
    return Alibaba(c);
  }

  /// Sends every later request to `url` (the emulator, a proxy).
  void set_endpoint(std::string_view url) {
    detail::Args a;
    detail::check(cloudhalt_alibaba_set_endpoint(c_.get(), a.str(url, "url")));
  }
  /// The total timeout of each later request.
  void set_timeout_ms(std::uint32_t ms) {
    detail::check(cloudhalt_alibaba_set_timeout_ms(c_.get(), ms));
  }

  /// ECS StopInvocation on the listed instances. An empty list (`{}` included) is refused with
  /// CLOUDHALT_INVALID_INPUT, never taken as "every instance".
  Response stop_invocation(std::string_view region_id, std::string_view invoke_id,
                           const std::vector<std::string_view> &ids) {
    detail::Args a;
    cloudhalt_response *r = nullptr;
    const char *region_c = a.str(region_id, "region_id");
    const char *invoke = a.str(invoke_id, "invoke_id");
    const char *const *list = a.list(ids, "instance_ids");
    detail::check(cloudhalt_alibaba_stop_invocation_instances(c_.get(), region_c, invoke, list,
                                                              ids.size(), &r));
    return Response(r);
  }
  /// ECS StopInvocation on every instance.
  Response stop_invocation_all_instances(std::string_view region_id, std::string_view invoke_id) {
    detail::Args a;
    cloudhalt_response *r = nullptr;
    const char *region_c = a.str(region_id, "region_id");
    const char *invoke = a.str(invoke_id, "invoke_id");
    detail::check(cloudhalt_alibaba_stop_invocation_all_instances(c_.get(), region_c, invoke, &r));
    return Response(r);
  }
  /// ECS StopInvocation on every instance, as before; prefer stop_invocation_all_instances(),
  /// which says so.
  Response stop_invocation(std::string_view region_id, std::string_view invoke_id,
                           std::nullopt_t = std::nullopt) {
    return stop_invocation_all_instances(region_id, invoke_id);
  }
  /// Any Alibaba operation by name with the provider's JSON parameters; returns the JSON answer.
  std::string call_json(std::string_view action, std::string_view params_json) {
    detail::Args a;
    char *out = nullptr;
    const char *action_c = a.str(action, "action");
    const char *params = a.str(params_json, "params_json");
    detail::check(cloudhalt_alibaba_call_json(c_.get(), action_c, params, &out));
    std::unique_ptr<char, detail::Deleter<char, cloudhalt_string_free>> owned(out);
    return std::string(owned.get());
  }

  /// The C handle, still owned by this object.
  cloudhalt_alibaba *get() const noexcept { return c_.get(); }

 private:
  explicit Alibaba(cloudhalt_alibaba *c) noexcept : c_(c) {}
  std::unique_ptr<cloudhalt_alibaba, detail::Deleter<cloudhalt_alibaba, cloudhalt_alibaba_free>> c_;
};

/// The library's version (cloudhalt_version()).
inline std::string_view version() noexcept { return cloudhalt_version(); }

}  // namespace cloudhalt

#endif  // CLOUDHALT_HPP
