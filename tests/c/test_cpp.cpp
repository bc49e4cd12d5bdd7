// The C++ wrapper's own promises: cloudhalt::Error carries kind, send state and field; a string
// with an embedded NUL is refused, never cut short; empty ID lists are refused, "every instance"
// is its own call; TerminateInstances takes release_address; the fleet setters, and the per-ID
// record on Response and on cloudhalt::Error; the wait options and the per-ID states on Response
// and on cloudhalt::Error.
//
// Usage: test_cpp [EMULATOR_URL]. Without a URL only the parts that need no network run.
// Exit status 0 only when every check passed.
#include <cloudhalt.hpp>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include <unistd.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                           \
  do {                                                                        \
    checks++;                                                                 \
    if (!(cond)) {                                                            \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                             \
    }                                                                         \
  } while (0)

static const char *TENCENT_ID = "AKIDcloudhaltEMULATOR";
static const char *TENCENT_KEY = "cloudhalt-emulator-tencent-key";
static const char *ALIBABA_ID = "LTAIcloudhaltEMULATOR";
static const char *ALIBABA_SECRET = "cloudhalt-emulator-alibaba-secret";

// Runs `call`, which must throw cloudhalt::Error; returns it (or a placeholder after a failed
// check).
static cloudhalt::Error expect_error(const std::function<void()> &call, int line) {
  try {
    call();
  } catch (const cloudhalt::Error &e) {
    return e;
  }
  std::fprintf(stderr, "%s:%d: expected cloudhalt::Error\n", __FILE__, line);
  failures++;
  return cloudhalt::Error(CLOUDHALT_PANIC, "no error", std::nullopt, std::nullopt, 0);
}
#define EXPECT_ERROR(call) expect_error([&] { call; }, __LINE__)

static bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// An input error before anything was sent, naming `field`.
static void check_input_error(const cloudhalt::Error &e, const std::string &field, int line) {
  checks++;
  if (e.status() != CLOUDHALT_INVALID_INPUT || e.kind() != "invalid_input" ||
      e.send_state() != "not_built" || e.may_have_been_sent() || e.field() != field ||
      !contains(e.message(), field)) {
    std::fprintf(stderr, "%s:%d: expected an input error naming %s, got %s kind=%s field=%s: %s\n",
                 __FILE__, line, field.c_str(), e.status_name(), e.kind().c_str(),
                 e.field().value_or("-").c_str(), e.what());
    failures++;
  }
}
#define CHECK_INPUT_ERROR(e, field) check_input_error(e, field, __LINE__)

static void test_offline() {
  using namespace std::string_literals;
  // A NUL inside a secret: refused, and neither part of the secret is quoted.
  cloudhalt::Error e = EXPECT_ERROR(
      cloudhalt::Tencent::create(TENCENT_ID, "cloudhalt\0hidden-part"s));
  CHECK_INPUT_ERROR(e, "secret_key");
  CHECK(contains(e.message(), "offset 9"));
  CHECK(!contains(e.message(), "hidden-part") && !contains(e.message(), "cloudhalt\0"s));

  cloudhalt::Tencent t = cloudhalt::Tencent::create(TENCENT_ID, TENCENT_KEY);
  cloudhalt::Alibaba a = cloudhalt::Alibaba::create(ALIBABA_ID, ALIBABA_SECRET);
  // Nothing below may reach the network: a closed port.
  t.set_endpoint("http://127.0.0.1:1");
  a.set_endpoint("http://127.0.0.1:1");

  e = EXPECT_ERROR(t.set_endpoint("http://127.0.0.1:1\0.evil.example"s));
  CHECK_INPUT_ERROR(e, "url");
  e = EXPECT_ERROR(t.stop_instances("ap-guangzhou\0x"s, {"ins-run00000"}));
  CHECK_INPUT_ERROR(e, "region");
  std::string with_nul = "ins-run00000\0ins-run00001"s;
  e = EXPECT_ERROR(t.stop_instances("ap-guangzhou", {"ins-run00002", with_nul}));
  CHECK_INPUT_ERROR(e, "instance_ids[1]");
  CHECK(contains(e.message(), "offset 12"));
  e = EXPECT_ERROR(a.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001\0"s, {"i-bp67acfmxazb4p0001"}));
  CHECK_INPUT_ERROR(e, "invoke_id");

  // Empty lists are refused, `{}` included: "every instance" is its own call.
  e = EXPECT_ERROR(t.cancel_invocation("ap-guangzhou", "inv-inv00001", {}));
  CHECK_INPUT_ERROR(e, "instance_ids");
  CHECK(contains(e.message(), "all_instances"));
  std::vector<std::string_view> none;
  e = EXPECT_ERROR(t.cancel_invocation("ap-guangzhou", "inv-inv00001", none));
  CHECK_INPUT_ERROR(e, "instance_ids");
  e = EXPECT_ERROR(a.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001", {}));
  CHECK_INPUT_ERROR(e, "instance_ids");
  e = EXPECT_ERROR(t.terminate_instances("ap-guangzhou", {}, cloudhalt::TerminateOptions{true, false}));
  CHECK_INPUT_ERROR(e, "instance_ids");

  // A provider-side field name for a malformed ID.
  e = EXPECT_ERROR(t.stop_instances("ap-guangzhou", {"ins-BAD"}));
  CHECK(e.kind() == "invalid_input" && e.field() == "InstanceIds" && !e.may_have_been_sent());

  // Nothing listens: a transport failure, whose send state the caller can read.
  e = EXPECT_ERROR(t.stop_instances("ap-guangzhou", {"ins-run00000"}));
  CHECK(e.status() == CLOUDHALT_TRANSPORT && e.kind() == "transport");
  CHECK(e.send_state() == "not_sent" || e.send_state() == "sent_no_answer");
  CHECK(e.may_have_been_sent() == (e.send_state() == "sent_no_answer"));
  CHECK(!e.field().has_value());

  // The fleet setters: the core's checks, the field named.
  e = EXPECT_ERROR(t.set_retry(0));
  CHECK_INPUT_ERROR(e, "max_attempts");
  e = EXPECT_ERROR(a.set_retry(3, 6000, 5000));
  CHECK_INPUT_ERROR(e, "base_delay");
  e = EXPECT_ERROR(t.set_concurrency(0));
  CHECK_INPUT_ERROR(e, "concurrency");
  e = EXPECT_ERROR(a.set_rate_limit_per_second(-1.0));
  CHECK_INPUT_ERROR(e, "rate_limit");
  e = EXPECT_ERROR(t.set_audit_log("/nonexistent-cloudhalt-dir/audit.log"));
  CHECK_INPUT_ERROR(e, "audit");
  e = EXPECT_ERROR(t.set_audit_log("audit\0.log"s));
  CHECK_INPUT_ERROR(e, "path");
  e = EXPECT_ERROR(t.resume("/nonexistent-cloudhalt-dir/audit.log"));
  CHECK_INPUT_ERROR(e, "audit");
  CHECK(e.outcomes().empty() && e.request_ids().empty() && e.attempts() == 0);
  t.set_retry(1, 0, 0);
  t.set_retry(3);
  t.set_concurrency(8);
  t.set_rate_limit(false);
  t.set_rate_limit(true);
  a.set_rate_limit_per_second(5.0);
  t.set_audit_log(std::nullopt);
  CHECK(cloudhalt::outcome_name(CLOUDHALT_OUTCOME_ALREADY) == "already");
}

static void test_online(const char *url) {
  cloudhalt::Tencent t = cloudhalt::Tencent::create(TENCENT_ID, TENCENT_KEY);
  cloudhalt::Alibaba a = cloudhalt::Alibaba::create(ALIBABA_ID, ALIBABA_SECRET);
  t.set_endpoint(url);
  a.set_endpoint(url);

  CHECK(!t.terminate_instances("ap-guangzhou", {"ins-run00110"},
                               cloudhalt::TerminateOptions{true, true})
             .request_id()
             .empty());
  CHECK(!t.terminate_instances("ap-guangzhou", {"ins-run00111"}, false, true).request_id().empty());
  CHECK(!t.cancel_invocation("ap-guangzhou", "inv-inv00002", {"ins-run00003"}).request_id().empty());
  CHECK(!t.cancel_invocation_all_instances("ap-guangzhou", "inv-inv00001").request_id().empty());
  CHECK(!a.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0001", {"i-bp67acfmxazb4p0001"})
             .request_id()
             .empty());
  CHECK(!a.stop_invocation_all_instances("cn-hangzhou", "t-hz0jdfwd9f0003").request_id().empty());

  // A provider's answer: kind, send state and no field.
  cloudhalt::Error e = EXPECT_ERROR(t.stop_instances("ap-guangzhou", {"ins-zzzzzzzz"}));
  CHECK(e.status() == CLOUDHALT_NOT_FOUND && e.kind() == "not_found");
  CHECK(e.send_state() == "answered" && e.may_have_been_sent());
  CHECK(e.code() == "InvalidInstanceId.NotFound" && e.request_id().has_value());
  CHECK(!e.field().has_value());
  // Already stopped: described, then reported already with the refusal's code and the state.
  cloudhalt::Response stopped = t.stop_instances("ap-guangzhou", {"ins-stp00000"});
  CHECK(stopped.outcomes().size() == 1 && stopped.outcomes()[0].outcome == CLOUDHALT_OUTCOME_ALREADY);
  CHECK(stopped.states().size() == 1 && stopped.states()[0].state == "STOPPED");
  e = EXPECT_ERROR(t.cancel_instance_refresh("asg-grp00001", "asr-act00002", "ap-guangzhou"));
  CHECK(e.status() == CLOUDHALT_STATE_CONFLICT && e.kind() == "state_conflict");
  e = EXPECT_ERROR(a.stop_invocation_all_instances("cn-hangzhou", "t-zzzzzzzzzz0001"));
  CHECK(e.kind() == "not_found" && e.http_status() == 404);

  // The per-ID record: 105 IDs in two requests, every one done, in input order.
  std::vector<std::string> names;
  for (int i = 0; i < 105; i++) {
    char id[16];
    std::snprintf(id, sizeof id, "ins-run%05d", i);
    names.emplace_back(id);
  }
  std::vector<std::string_view> ids(names.begin(), names.end());
  cloudhalt::Response r = t.stop_instances("ap-guangzhou", ids);
  std::vector<cloudhalt::IdOutcome> outcomes = r.outcomes();
  CHECK(outcomes.size() == 105);
  bool all_done = outcomes.size() == 105;
  for (std::size_t i = 0; all_done && i < outcomes.size(); i++)
    all_done = outcomes[i].id == names[i] && outcomes[i].outcome == CLOUDHALT_OUTCOME_DONE &&
               outcomes[i].name() == "done" && outcomes[i].request_id.has_value() && !outcomes[i].code;
  CHECK(all_done);
  CHECK(r.request_ids().size() == 2 && r.attempts() == 2);
  CHECK(r.request_ids()[0] == r.request_id());
  // ... and on the exception: the failed ID, its code and the request's RequestId.
  e = EXPECT_ERROR(t.stop_instances("ap-guangzhou", {"ins-zzzzzzz1"}));
  CHECK(e.outcomes().size() == 1 && e.request_ids().size() == 1 && e.attempts() == 1);
  if (e.outcomes().size() == 1) {
    CHECK(e.outcomes()[0].id == "ins-zzzzzzz1" && e.outcomes()[0].outcome == CLOUDHALT_OUTCOME_FAILED);
    CHECK(e.outcomes()[0].code == "InvalidInstanceId.NotFound");
    CHECK(e.outcomes()[0].request_id == e.request_id());
  }
  r = t.call_json_response("StopInstances", "{\"InstanceIds\":[\"ins-run00120\"]}", "ap-guangzhou");
  CHECK(r.outcomes().size() == 1 && r.outcomes()[0].outcome == CLOUDHALT_OUTCOME_DONE);
  CHECK(contains(r.json(), r.request_id()));
  r = a.call_json_response("StopInvocation",
                           "{\"RegionId\":\"cn-hangzhou\",\"InvokeId\":\"t-hz0jdfwd9f0003\",\"InstanceId\":[\"i-bp67acfmxazb4p0020\"]}");
  CHECK(r.outcomes().size() == 1 && r.outcomes()[0].id == "i-bp67acfmxazb4p0020");
}


// Credential chains, network settings and the log handler (issue 11).
static void test_chains_offline() {
  cloudhalt::Error e = EXPECT_ERROR(cloudhalt::Tencent::from_profile(""));
  CHECK_INPUT_ERROR(e, "profile");
  e = EXPECT_ERROR(cloudhalt::Alibaba::from_profile(std::string_view("p\0x", 3)));
  CHECK_INPUT_ERROR(e, "profile");
  cloudhalt::Tencent t = cloudhalt::Tencent::create(TENCENT_ID, TENCENT_KEY);
  CHECK(t.credential_source() == "explicit values");
  e = EXPECT_ERROR(t.set_ca_bundle("/nonexistent/cloudhalt-ca.pem"));
  CHECK_INPUT_ERROR(e, "ca_bundle");
  e = EXPECT_ERROR(t.set_proxy("http://[::1"));
  CHECK_INPUT_ERROR(e, "proxy");
  t.set_proxy("");
  t.set_proxy(std::nullopt);
  t.set_ca_bundle(std::nullopt);
  cloudhalt::Alibaba a = cloudhalt::Alibaba::create(ALIBABA_ID, ALIBABA_SECRET);
  CHECK(a.credential_source() == "explicit values");
  e = EXPECT_ERROR(a.set_ca_bundle("/nonexistent/cloudhalt-ca.pem"));
  CHECK_INPUT_ERROR(e, "ca_bundle");
  cloudhalt::ChainOptions options;
  e = EXPECT_ERROR(options.set_metadata_endpoint("not a url"));
  CHECK_INPUT_ERROR(e, "metadata_endpoint");
  e = EXPECT_ERROR(options.set_ca_bundle("/nonexistent/cloudhalt-ca.pem"));
  CHECK_INPUT_ERROR(e, "ca_bundle");
  options.set_profile("prod").set_profile(std::nullopt).set_proxy("");
  e = EXPECT_ERROR(cloudhalt::set_log_handler([](int, std::string_view) {}, 9));
  CHECK_INPUT_ERROR(e, "max_level");
}

static void test_chains_online(const char *url) {
  char home[] = "/tmp/cloudhalt-cpp-home.XXXXXX";
  CHECK(mkdtemp(home) != nullptr);
  std::string saved_home = std::getenv("HOME") ? std::getenv("HOME") : "/";
  setenv("HOME", home, 1);
  unsetenv("TENCENTCLOUD_SECRET_ID");
  unsetenv("TENCENTCLOUD_SECRET_KEY");
  cloudhalt::ChainOptions options;
  options.set_metadata_endpoint(url);
  cloudhalt::Tencent t = cloudhalt::Tencent::from_chain(options);
  CHECK(contains(t.credential_source(), "CVM role"));
  t.set_endpoint(url);
  std::vector<std::string> lines;
  std::mutex lock;
  cloudhalt::set_log_handler([&](int level, std::string_view line) {
    std::lock_guard<std::mutex> guard(lock);
    lines.emplace_back(line);
    if (level < 1 || level > 5) lines.emplace_back("BAD LEVEL");
    throw std::runtime_error("a throwing handler must not break the call");
  });
  CHECK(!t.stop_instances("ap-guangzhou", {"ins-run00130"}).request_id().empty());
  cloudhalt::set_log_handler(nullptr);
  CHECK(lines.size() == 1);
  CHECK(!lines.empty() && contains(lines[0], "StopInstances") && contains(lines[0], "attempt=1"));
  CHECK(!lines.empty() && !contains(lines[0], "AKIDtmp"));
  setenv("HOME", saved_home.c_str(), 1);
  CHECK(rmdir(home) == 0);
}

// The wait options and the standalone wait, with nothing listening.
static void test_wait_offline() {
  cloudhalt::Tencent t = cloudhalt::Tencent::create(TENCENT_ID, TENCENT_KEY);
  t.set_endpoint("http://127.0.0.1:1");
  cloudhalt::Error e = EXPECT_ERROR(t.set_wait(86400001));
  CHECK(e.status() == CLOUDHALT_INVALID_INPUT && e.field() == "wait_timeout");
  CHECK(e.states().empty());
  t.set_wait(1000, 10, 20);
  t.clear_wait();
  t.set_pause_first(true);
  // An empty list answers at once: no state, nothing sent.
  cloudhalt::Response r = t.wait_instances("ap-guangzhou", {}, "STOPPED");
  CHECK(r.states().empty());
  e = EXPECT_ERROR(t.wait_instances("ap-guangzhou", {"ins-run00140"}, std::string_view("STOP\0PED", 8)));
  CHECK_INPUT_ERROR(e, "state");
  e = EXPECT_ERROR(t.wait_json("StopInstances", "{not json"));
  CHECK_INPUT_ERROR(e, "params_json");
  cloudhalt::Alibaba a = cloudhalt::Alibaba::create(ALIBABA_ID, ALIBABA_SECRET);
  e = EXPECT_ERROR(a.set_wait(86400001));
  CHECK(e.field() == "wait_timeout");
  a.set_wait(1000);
  a.clear_wait();
}

// A stop with a wait ends STOPPED with its states; one past its deadline throws wait_timeout
// with the state reached.
static void test_wait_online(const char *url) {
  cloudhalt::Tencent t = cloudhalt::Tencent::create(TENCENT_ID, TENCENT_KEY);
  t.set_endpoint(url);
  t.set_wait(20000, 50, 200);
  cloudhalt::Response r = t.stop_instances("ap-guangzhou", {"ins-run00140", "ins-run00141"});
  std::vector<cloudhalt::IdState> states = r.states();
  CHECK(states.size() == 2);
  CHECK(states.size() == 2 && states[0].id == "ins-run00140" && states[1].id == "ins-run00141");
  for (const cloudhalt::IdState &s : states)
    CHECK(s.state == "STOPPED" && s.result == "stopped" && s.then == "success");
  t.clear_wait();
  r = t.wait_instances("ap-guangzhou", {"ins-run00140"}, "STOPPED");
  CHECK(r.states().size() == 1 && r.states()[0].state == "STOPPED");
  r = t.wait_json("StopInstances", R"({"InstanceIds":["ins-run00141"]})", "ap-guangzhou");
  CHECK(r.states().size() == 1 && r.states()[0].state == "STOPPED");
  // The emulator's transitions take 1 s by default: a 200 ms wait ends first.
  t.set_wait(200, 50, 100);
  cloudhalt::Error e = EXPECT_ERROR(t.stop_instances("ap-guangzhou", {"ins-run00142"}));
  CHECK(e.status() == CLOUDHALT_WAIT_TIMEOUT && e.kind() == "wait_timeout");
  CHECK(e.outcomes().size() == 1 && e.outcomes()[0].outcome == CLOUDHALT_OUTCOME_DONE);
  CHECK(e.states().size() == 1);
  CHECK(!e.states().empty() && e.states()[0].id == "ins-run00142" && e.states()[0].state == "STOPPING" &&
        e.states()[0].then == "wait");
  cloudhalt::Alibaba a = cloudhalt::Alibaba::create(ALIBABA_ID, ALIBABA_SECRET);
  a.set_endpoint(url);
  a.set_wait(20000, 50, 200);
  r = a.stop_invocation("cn-hangzhou", "t-hz0jdfwd9f0003", {"i-bp67acfmxazb4p0005"});
  CHECK(r.states().size() == 1 && r.states()[0].id == "i-bp67acfmxazb4p0005");
}

int main(int argc, char **argv) {
  test_offline();
  test_chains_offline();
  test_wait_offline();
  if (argc > 1) {
    test_online(argv[1]);
    test_chains_online(argv[1]);
    test_wait_online(argv[1]);
  } else {
    std::printf("no emulator URL given: skipped the online tests\n");
  }
  std::printf("%d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
