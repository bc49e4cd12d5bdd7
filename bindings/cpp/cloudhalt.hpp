// cloudhalt.hpp: a header-only C++17 wrapper over include/cloudhalt.h.
//
// RAII handles (move-only), std::string_view inputs, and one exception type, cloudhalt::Error,
// carrying the status, kind, send state, field, the provider's code, the message and the
// RequestId of a failed call, and the per-ID record of the call (outcomes(), request_ids(),
// attempts(), and states() when a wait ran), as a successful Response does. A string argument with an embedded NUL is refused with an Error
// of kind invalid_input naming the argument (C would silently cut it short).
//
//   cloudhalt::Tencent tencent = cloudhalt::Tencent::from_env();  // the default credential chain
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
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cloudhalt.h"

namespace cloudhalt {

/// The name of an outcome as the core spells it: "done", "already", "failed" or "unknown"
/// ("" for a value this header does not know).
inline std::string_view outcome_name(cloudhalt_outcome outcome) noexcept {
  const char *name = cloudhalt_outcome_name(static_cast<int>(outcome));
  return name ? name : "";
}

/// What happened to one ID of a call.
struct IdOutcome {
  std::string id;                          ///< the instance ID (or InvocationId ...)
  cloudhalt_outcome outcome;               ///< CLOUDHALT_OUTCOME_DONE ...
  std::optional<std::string> code;         ///< the provider's code of its request's last answer
  std::optional<std::string> request_id;   ///< the RequestId of its request's last answer
  /// outcome_name(outcome): "done", "already", "failed" or "unknown".
  std::string_view name() const noexcept { return outcome_name(outcome); }
};

/// The state one ID reached in a wait (Tencent::set_wait(), Tencent::wait_instances() ...).
struct IdState {
  std::string id;      ///< the instance ID (or InvocationId ...)
  std::string state;   ///< the provider's state: "STOPPED", "SHUTDOWN", "CANCELLED", "gone" ...
  std::string result;  ///< what it means: "stopped", "recycle bin", "gone", "waiting" ...
  std::string then;    ///< how the waiter classed it: "success", "failure" or "wait"
};

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

  /// All the details, and the call's per-ID record.
  Error(cloudhalt_status status, const std::string &message, std::optional<std::string> code,
        std::optional<std::string> request_id, int http_status, std::string kind,
        std::string send_state, std::optional<std::string> field, std::vector<IdOutcome> outcomes,
        std::vector<std::string> request_ids, std::uint32_t attempts)
      : Error(status, message, std::move(code), std::move(request_id), http_status, std::move(kind),
              std::move(send_state), std::move(field)) {
    outcomes_ = std::move(outcomes);
    request_ids_ = std::move(request_ids);
    attempts_ = attempts;
  }

  /// All the details, the call's per-ID record, and the states a wait reached.
  Error(cloudhalt_status status, const std::string &message, std::optional<std::string> code,
        std::optional<std::string> request_id, int http_status, std::string kind,
        std::string send_state, std::optional<std::string> field, std::vector<IdOutcome> outcomes,
        std::vector<std::string> request_ids, std::uint32_t attempts, std::vector<IdState> states)
      : Error(status, message, std::move(code), std::move(request_id), http_status, std::move(kind),
              std::move(send_state), std::move(field), std::move(outcomes), std::move(request_ids),
              attempts) {
    states_ = std::move(states);
  }

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

  /// Every input ID of the call once, in input order, with its outcome (a batch with one failed
  /// request reports the others done). Empty when nothing was sent.
  const std::vector<IdOutcome> &outcomes() const noexcept { return outcomes_; }

  /// Every RequestId the call collected, retried attempts included, in order.
  const std::vector<std::string> &request_ids() const noexcept { return request_ids_; }

  /// The number of requests sent, retries included; 0 when nothing was sent.
  std::uint32_t attempts() const noexcept { return attempts_; }

  /// When a wait ran (kind "wait_timeout", "wait_failed", or a failed write whose sent IDs were
  /// then waited for): the state each waited ID reached, those that reached success included.
  const std::vector<IdState> &states() const noexcept { return states_; }

 private:
  cloudhalt_status status_;
  std::optional<std::string> code_;
  std::optional<std::string> request_id_;
  int http_status_;
  std::string kind_;
  std::string send_state_;
  std::optional<std::string> field_;
  std::vector<IdOutcome> outcomes_;
  std::vector<std::string> request_ids_;
  std::uint32_t attempts_ = 0;
  std::vector<IdState> states_;
};

namespace detail {

inline std::optional<std::string> opt(const char *s) {
  return s ? std::optional<std::string>(s) : std::nullopt;
}

/// The per-ID record through accessors `count()`, `id(i)`, `outcome(i)`, `code(i)`,
/// `request_id(i)` (a response's or the last error's).
template <typename Count, typename Id, typename Outcome, typename Code, typename RequestId>
std::vector<IdOutcome> outcomes(Count count, Id id, Outcome outcome, Code code, RequestId request_id) {
  std::vector<IdOutcome> out;
  std::size_t n = count();
  out.reserve(n);
  for (std::size_t i = 0; i < n; i++) {
    const char *s = id(i);
    out.push_back(IdOutcome{s ? s : "", static_cast<cloudhalt_outcome>(outcome(i)), opt(code(i)),
                            opt(request_id(i))});
  }
  return out;
}

/// The states of a wait through accessors `count()`, `id(i)`, `state(i)`, `result(i)`, `then(i)`
/// (a response's or the last error's).
template <typename Count, typename Id, typename State, typename Result, typename Then>
std::vector<IdState> states(Count count, Id id, State state, Result result, Then then) {
  std::vector<IdState> out;
  std::size_t n = count();
  out.reserve(n);
  auto text = [](const char *s) { return std::string(s ? s : ""); };
  for (std::size_t i = 0; i < n; i++)
    out.push_back(IdState{text(id(i)), text(state(i)), text(result(i)), text(then(i))});
  return out;
}

template <typename Count, typename At>
std::vector<std::string> strings(Count count, At at) {
  std::vector<std::string> out;
  std::size_t n = count();
  out.reserve(n);
  for (std::size_t i = 0; i < n; i++) {
    const char *s = at(i);
    out.emplace_back(s ? s : "");
  }
  return out;
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
              send_state ? send_state : "sent_no_answer", opt(cloudhalt_last_error_field()),
              outcomes(cloudhalt_last_error_outcome_count, cloudhalt_last_error_outcome_id,
                       cloudhalt_last_error_outcome, cloudhalt_last_error_outcome_code,
                       cloudhalt_last_error_outcome_request_id),
              strings(cloudhalt_last_error_request_id_count, cloudhalt_last_error_request_id_at),
              cloudhalt_last_error_attempts(),
              states(cloudhalt_last_error_state_count, cloudhalt_last_error_state_id,
                     cloudhalt_last_error_state, cloudhalt_last_error_state_result,
                     cloudhalt_last_error_state_then));
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

/// Options for a credential chain (move-only): Tencent::from_chain(), Alibaba::from_chain().
/// Nothing set is the default chain. Each setter throws cloudhalt::Error naming a bad value.
class ChainOptions {
 public:
  ChainOptions() {
    cloudhalt_chain_options *o = nullptr;
    detail::check(cloudhalt_chain_options_new(&o));
    o_.reset(o);
  }
  /// The profile of the tools' files; std::nullopt: the default profile.
  ChainOptions &set_profile(std::optional<std::string_view> profile) {
    detail::Args a;
    detail::check(cloudhalt_chain_options_set_profile(o_.get(), a.opt(profile, "profile")));
    return *this;
  }
  /// The instance metadata base URL; std::nullopt: CLOUDHALT_*_METADATA_ENDPOINT, else the cloud's.
  ChainOptions &set_metadata_endpoint(std::optional<std::string_view> url) {
    detail::Args a;
    detail::check(cloudhalt_chain_options_set_metadata_endpoint(o_.get(), a.opt(url, "url")));
    return *this;
  }
  /// The STS base URL; std::nullopt: CLOUDHALT_*_STS_ENDPOINT, else the public STS host.
  ChainOptions &set_sts_endpoint(std::optional<std::string_view> url) {
    detail::Args a;
    detail::check(cloudhalt_chain_options_set_sts_endpoint(o_.get(), a.opt(url, "url")));
    return *this;
  }
  /// The proxy for STS and for the client: a URL, "" for none, std::nullopt for the environment's.
  ChainOptions &set_proxy(std::optional<std::string_view> url) {
    detail::Args a;
    detail::check(cloudhalt_chain_options_set_proxy(o_.get(), a.opt(url, "url")));
    return *this;
  }
  /// A PEM CA bundle that replaces the built-in roots; std::nullopt: SSL_CERT_FILE, else built-in.
  ChainOptions &set_ca_bundle(std::optional<std::string_view> path) {
    detail::Args a;
    detail::check(cloudhalt_chain_options_set_ca_bundle(o_.get(), a.opt(path, "path")));
    return *this;
  }
  /// The C handle, borrowed.
  const cloudhalt_chain_options *get() const noexcept { return o_.get(); }

 private:
  std::unique_ptr<cloudhalt_chain_options,
                  detail::Deleter<cloudhalt_chain_options, cloudhalt_chain_options_free>>
      o_;
};

/// A log handler: `level` 1 (error) to 5 (trace), `message` one line (valid during the call).
using LogHandler = std::function<void(int level, std::string_view message)>;

namespace detail {

/// The handler cloudhalt's C callback forwards to; copied out under the lock, called outside it.
inline std::mutex &log_lock() {
  static std::mutex lock;
  return lock;
}
inline std::shared_ptr<const LogHandler> &log_handler() {
  static std::shared_ptr<const LogHandler> handler;
  return handler;
}
extern "C" inline void log_trampoline(int level, const char *message, void *) {
  std::shared_ptr<const LogHandler> handler;
  {
    std::lock_guard<std::mutex> guard(log_lock());
    handler = log_handler();
  }
  // An exception must not unwind into the library: it is dropped here.
  try {
    if (handler && *handler) (*handler)(level, message ? message : "");
  } catch (...) {
  }
}

}  // namespace detail

/// Sends cloudhalt's log lines up to `max_level` (1 error .. 5 trace; 3 is one line per attempt,
/// 4 adds one per credential source) to `handler`, on the thread that logs; an empty handler
/// turns logging off. An exception thrown by the handler is swallowed. Process-wide. Throws
/// cloudhalt::Error for a bad `max_level`.
inline void set_log_handler(LogHandler handler, int max_level = 3) {
  if (!handler) {
    detail::check(cloudhalt_set_log_callback(nullptr, nullptr, 0));
    std::lock_guard<std::mutex> guard(detail::log_lock());
    detail::log_handler().reset();
    return;
  }
  auto next = std::make_shared<const LogHandler>(std::move(handler));
  {
    std::lock_guard<std::mutex> guard(detail::log_lock());
    std::swap(detail::log_handler(), next);
  }
  try {
    detail::check(cloudhalt_set_log_callback(&detail::log_trampoline, nullptr, max_level));
  } catch (...) {
    std::lock_guard<std::mutex> guard(detail::log_lock());
    std::swap(detail::log_handler(), next);  // the previous handler stays
    throw;
  }
}

/// A successful answer. Owns the C response; strings are copied out on demand.
class Response {
 public:
  explicit Response(cloudhalt_response *r) noexcept : r_(r) {}
  /// The provider's RequestId (borrowed from this object).
  std::string_view request_id() const noexcept { return cloudhalt_response_request_id(r_.get()); }
  /// The provider's whole answer as JSON (borrowed from this object); for a call sent in
  /// several requests, the answer to the first. What happened to each ID is in outcomes().
  std::string_view json() const noexcept { return cloudhalt_response_json(r_.get()); }

  /// Every input ID of the call once, in input order, with its outcome (done or already).
  std::vector<IdOutcome> outcomes() const {
    const cloudhalt_response *r = r_.get();
    return detail::outcomes([r] { return cloudhalt_response_outcome_count(r); },
                            [r](std::size_t i) { return cloudhalt_response_outcome_id(r, i); },
                            [r](std::size_t i) { return cloudhalt_response_outcome(r, i); },
                            [r](std::size_t i) { return cloudhalt_response_outcome_code(r, i); },
                            [r](std::size_t i) { return cloudhalt_response_outcome_request_id(r, i); });
  }

  /// Every RequestId the call collected, retried attempts included, in order.
  std::vector<std::string> request_ids() const {
    const cloudhalt_response *r = r_.get();
    return detail::strings([r] { return cloudhalt_response_request_id_count(r); },
                           [r](std::size_t i) { return cloudhalt_response_request_id_at(r, i); });
  }

  /// The number of requests sent, retries included.
  std::uint32_t attempts() const noexcept { return cloudhalt_response_attempts(r_.get()); }

  /// When the call waited: the final state of each waited ID (empty when no wait ran, or for a
  /// wait on an empty list).
  std::vector<IdState> states() const {
    const cloudhalt_response *r = r_.get();
    return detail::states([r] { return cloudhalt_response_state_count(r); },
                          [r](std::size_t i) { return cloudhalt_response_state_id(r, i); },
                          [r](std::size_t i) { return cloudhalt_response_state(r, i); },
                          [r](std::size_t i) { return cloudhalt_response_state_result(r, i); },
                          [r](std::size_t i) { return cloudhalt_response_state_then(r, i); });
  }

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
  /// Credentials from the default chain (environment, tccli and SDK files, TKE OIDC, CVM role).
  static Tencent from_env() {
    cloudhalt_tencent *c = nullptr;
    detail::check(cloudhalt_tencent_from_env(&c));
    return Tencent(c);
  }
  /// The default chain with the profile `profile` of the tools' files (the credential
  /// variables skipped). Throws cloudhalt::Error (kind credentials lists every source tried).
  static Tencent from_profile(std::string_view profile) {
    detail::Args a;
    cloudhalt_tencent *c = nullptr;
    detail::check(cloudhalt_tencent_from_profile(a.str(profile, "profile"), &c));
    return Tencent(c);
  }
  /// The default chain run with `options` (profile, metadata and STS URLs, proxy, CA bundle).
  static Tencent from_chain(const ChainOptions &options) {
    cloudhalt_tencent *c = nullptr;
    detail::check(cloudhalt_tencent_from_chain(options.get(), &c));
    return Tencent(c);
  }

  /// Where the credentials came from ("env ...", "tccli profile ...", "CVM role (...)"), never
  /// a secret.
  std::string credential_source() const {
    const char *s = cloudhalt_tencent_credential_source(c_.get());
    return s ? s : "";
  }
  /// The proxy of later requests: a URL, "" for none, std::nullopt for the environment's
  /// (HTTPS_PROXY & co., the default).
  void set_proxy(std::optional<std::string_view> url) {
    detail::Args a;
    detail::check(cloudhalt_tencent_set_proxy(c_.get(), a.opt(url, "url")));
  }
  /// Trust only the CA certificates of this PEM file (they replace the built-in roots);
  /// std::nullopt: SSL_CERT_FILE, else the built-in roots.
  void set_ca_bundle(std::optional<std::string_view> path) {
    detail::Args a;
    detail::check(cloudhalt_tencent_set_ca_bundle(c_.get(), a.opt(path, "path")));
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

  /// The retry policy of later calls: attempts per request (1 = never retry), backoff base
  /// and maximum in milliseconds. Throws cloudhalt::Error naming the bad field.
  void set_retry(std::uint32_t max_attempts, std::uint32_t base_delay_ms = 200,
                 std::uint32_t max_delay_ms = 5000) {
    detail::check(cloudhalt_tencent_set_retry(c_.get(), max_attempts, base_delay_ms, max_delay_ms));
  }

  /// The client-side rate limit: true = the documented rates (the default), false = off.
  void set_rate_limit(bool enabled) { detail::check(cloudhalt_tencent_set_rate_limit(c_.get(), enabled)); }

  /// Paces every action at `rate` requests per second instead of the documented rates.
  void set_rate_limit_per_second(double rate) {
    detail::check(cloudhalt_tencent_set_rate_limit_per_second(c_.get(), rate));
  }

  /// How many requests of one call may be in flight at once (1 to 64; default 4).
  void set_concurrency(std::uint32_t n) { detail::check(cloudhalt_tencent_set_concurrency(c_.get(), n)); }

  /// Records every later request in the audit log at `path`; std::nullopt stops logging.
  void set_audit_log(std::optional<std::string_view> path) {
    detail::Args a;
    detail::check(cloudhalt_tencent_set_audit_log(c_.get(), a.opt(path, "path")));
  }

  /// Makes every later write wait until it is confirmed (cloudhalt_tencent_set_wait()): up to
  /// `timeout_ms` (0 polls once), polls `min_delay_ms` to `max_delay_ms` apart (0: the defaults,
  /// 1000 and 10000). The call then throws kind "wait_timeout" or "wait_failed" when the wait
  /// does not end in success. Throws cloudhalt::Error naming a bad field.
  void set_wait(std::uint32_t timeout_ms, std::uint32_t min_delay_ms = 0,
                std::uint32_t max_delay_ms = 0) {
    detail::check(cloudhalt_tencent_set_wait(c_.get(), timeout_ms, min_delay_ms, max_delay_ms));
  }
  /// Later writes no longer wait (the default).
  void clear_wait() { detail::check(cloudhalt_tencent_set_wait(c_.get(), 0, 0, 0)); }
  /// A CancelInstanceRefresh refused because a batch is refreshing pauses the activity first,
  /// then cancels (cloudhalt_tencent_set_pause_first()).
  void set_pause_first(bool pause_first) {
    detail::check(cloudhalt_tencent_set_pause_first(c_.get(), pause_first));
  }

  /// Finishes the interrupted batch recorded last in the audit log at `audit_path`.
  Response resume(std::string_view audit_path) {
    detail::Args a;
    cloudhalt_response *r = nullptr;
    detail::check(cloudhalt_tencent_resume(c_.get(), a.str(audit_path, "audit_path"), &r));
    return Response(r);
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

  /// As call_json(), returning a Response with the per-ID record.
  Response call_json_response(std::string_view action, std::string_view params_json,
                              std::optional<std::string_view> region = std::nullopt) {
    detail::Args a;
    cloudhalt_response *r = nullptr;
    const char *action_c = a.str(action, "action");
    const char *region_c = a.opt(region, "region");
    const char *params = a.str(params_json, "params_json");
    detail::check(cloudhalt_tencent_call_json_response(c_.get(), action_c, region_c, params, &r));
    return Response(r);
  }

  /// Waits, sending no write, until the instances reach `state` ("STOPPED" or "TERMINATED"),
  /// polling DescribeInstances; an empty list returns at once with no states. The wait lasts up
  /// to the client's set_wait() timeout, or 300 s when none is set. Response::states() gives
  /// each ID's final state; throws kind "wait_timeout" or "wait_failed" otherwise.
  Response wait_instances(std::string_view region, const std::vector<std::string_view> &ids,
                          std::string_view state) {
    detail::Args a;
    cloudhalt_response *r = nullptr;
    const char *region_c = a.str(region, "region");
    const char *const *list = a.list(ids, "instance_ids");
    const char *state_c = a.str(state, "state");
    detail::check(cloudhalt_tencent_wait_instances(c_.get(), region_c, list, ids.size(), state_c, &r));
    return Response(r);
  }

  /// The standalone wait of the write `action` for the IDs its JSON parameters name (as
  /// call_json_response() takes them), polling the Describe call only.
  Response wait_json(std::string_view action, std::string_view params_json,
                     std::optional<std::string_view> region = std::nullopt) {
    detail::Args a;
    cloudhalt_response *r = nullptr;
    const char *action_c = a.str(action, "action");
    const char *region_c = a.opt(region, "region");
    const char *params = a.str(params_json, "params_json");
    detail::check(cloudhalt_tencent_wait_json(c_.get(), action_c, region_c, params, &r));
    return Response(r);
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
  /// Credentials from the default chain (environment, OIDC, aliyun-cli and INI files, ECS role,
  /// credentials URI).
  static Alibaba from_env() {
    cloudhalt_alibaba *c = nullptr;
    detail::check(cloudhalt_alibaba_from_env(&c));
    return Alibaba(c);
  }
  /// The default chain with the profile `profile` of the tools' files (the credential
  /// variables skipped). Throws cloudhalt::Error (kind credentials lists every source tried).
  static Alibaba from_profile(std::string_view profile) {
    detail::Args a;
    cloudhalt_alibaba *c = nullptr;
    detail::check(cloudhalt_alibaba_from_profile(a.str(profile, "profile"), &c));
    return Alibaba(c);
  }
  /// The default chain run with `options` (profile, metadata and STS URLs, proxy, CA bundle).
  static Alibaba from_chain(const ChainOptions &options) {
    cloudhalt_alibaba *c = nullptr;
    detail::check(cloudhalt_alibaba_from_chain(options.get(), &c));
    return Alibaba(c);
  }

  /// Where the credentials came from ("env ...", "tccli profile ...", "CVM role (...)"), never
  /// a secret.
  std::string credential_source() const {
    const char *s = cloudhalt_alibaba_credential_source(c_.get());
    return s ? s : "";
  }
  /// The proxy of later requests: a URL, "" for none, std::nullopt for the environment's
  /// (HTTPS_PROXY & co., the default).
  void set_proxy(std::optional<std::string_view> url) {
    detail::Args a;
    detail::check(cloudhalt_alibaba_set_proxy(c_.get(), a.opt(url, "url")));
  }
  /// Trust only the CA certificates of this PEM file (they replace the built-in roots);
  /// std::nullopt: SSL_CERT_FILE, else the built-in roots.
  void set_ca_bundle(std::optional<std::string_view> path) {
    detail::Args a;
    detail::check(cloudhalt_alibaba_set_ca_bundle(c_.get(), a.opt(path, "path")));
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

  /// The retry policy of later calls: attempts per request (1 = never retry), backoff base
  /// and maximum in milliseconds. Throws cloudhalt::Error naming the bad field.
  void set_retry(std::uint32_t max_attempts, std::uint32_t base_delay_ms = 200,
                 std::uint32_t max_delay_ms = 5000) {
    detail::check(cloudhalt_alibaba_set_retry(c_.get(), max_attempts, base_delay_ms, max_delay_ms));
  }

  /// The client-side rate limit: true = the documented rates (the default), false = off.
  void set_rate_limit(bool enabled) { detail::check(cloudhalt_alibaba_set_rate_limit(c_.get(), enabled)); }

  /// Paces every action at `rate` requests per second instead of the documented rates.
  void set_rate_limit_per_second(double rate) {
    detail::check(cloudhalt_alibaba_set_rate_limit_per_second(c_.get(), rate));
  }

  /// How many requests of one call may be in flight at once (1 to 64; default 4).
  void set_concurrency(std::uint32_t n) { detail::check(cloudhalt_alibaba_set_concurrency(c_.get(), n)); }

  /// Records every later request in the audit log at `path`; std::nullopt stops logging.
  void set_audit_log(std::optional<std::string_view> path) {
    detail::Args a;
    detail::check(cloudhalt_alibaba_set_audit_log(c_.get(), a.opt(path, "path")));
  }

  /// Makes every later StopInvocation wait until it is confirmed (cloudhalt_alibaba_set_wait()),
  /// arguments as Tencent::set_wait().
  void set_wait(std::uint32_t timeout_ms, std::uint32_t min_delay_ms = 0,
                std::uint32_t max_delay_ms = 0) {
    detail::check(cloudhalt_alibaba_set_wait(c_.get(), timeout_ms, min_delay_ms, max_delay_ms));
  }
  /// Later writes no longer wait (the default).
  void clear_wait() { detail::check(cloudhalt_alibaba_set_wait(c_.get(), 0, 0, 0)); }

  /// Finishes the interrupted batch recorded last in the audit log at `audit_path`.
  Response resume(std::string_view audit_path) {
    detail::Args a;
    cloudhalt_response *r = nullptr;
    detail::check(cloudhalt_alibaba_resume(c_.get(), a.str(audit_path, "audit_path"), &r));
    return Response(r);
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

  /// As call_json(), returning a Response with the per-ID record.
  Response call_json_response(std::string_view action, std::string_view params_json) {
    detail::Args a;
    cloudhalt_response *r = nullptr;
    const char *action_c = a.str(action, "action");
    const char *params = a.str(params_json, "params_json");
    detail::check(cloudhalt_alibaba_call_json_response(c_.get(), action_c, params, &r));
    return Response(r);
  }

  /// The standalone wait of the write `action` ("StopInvocation") for the instances its JSON
  /// parameters name, polling DescribeInvocations only.
  Response wait_json(std::string_view action, std::string_view params_json) {
    detail::Args a;
    cloudhalt_response *r = nullptr;
    const char *action_c = a.str(action, "action");
    const char *params = a.str(params_json, "params_json");
    detail::check(cloudhalt_alibaba_wait_json(c_.get(), action_c, params, &r));
    return Response(r);
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
