// The C++ wrapper: stop instances, cancel a TAT invocation, and catch a provider error.
// Credentials from TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY; CLOUDHALT_ENDPOINT points it
// at the emulator.
//
//   c++ -std=c++17 quickstart.cpp $(pkg-config --cflags --libs cloudhalt) -o quickstart_cpp
#include <cloudhalt.hpp>

#include <cstdlib>
#include <iostream>

int main() {
  try {
    cloudhalt::Tencent tencent = cloudhalt::Tencent::from_env();
    if (const char *endpoint = std::getenv("CLOUDHALT_ENDPOINT")) tencent.set_endpoint(endpoint);

    cloudhalt::Response stopped = tencent.stop_instances(
        "ap-guangzhou", {"ins-run00005", "ins-run00006"}, {false, "SOFT_FIRST", std::nullopt});
    std::cout << "StopInstances: RequestId present: " << !stopped.request_id().empty() << "\n";

    // Every instance of the invocation, said explicitly (an empty ID list is refused instead).
    cloudhalt::Response cancelled =
        tencent.cancel_invocation_all_instances("ap-guangzhou", "inv-inv00002");
    std::cout << "CancelInvocation: RequestId present: " << !cancelled.request_id().empty() << "\n";

    try {
      tencent.stop_instances("ap-guangzhou", {"ins-zzzzzzzz"});
    } catch (const cloudhalt::Error &e) {
      std::cout << "expected failure: " << e.status_name() << " code=" << e.code().value_or("-")
                << " RequestId present: " << e.request_id().has_value()
                << " kind=" << e.kind() << " may have been sent: " << e.may_have_been_sent()
                << "\n";
    }

    try {
      tencent.stop_instances("ap-guangzhou", {"not-an-id"});
    } catch (const cloudhalt::Error &e) {
      std::cout << "refused before sending: " << e.status_name() << "\n";
    }
  } catch (const cloudhalt::Error &e) {
    std::cerr << e.status_name() << ": " << e.what() << "\n";
    return EXIT_FAILURE;
  }
  return EXIT_SUCCESS;
}
