/* Stop an Alibaba Cloud Assistant command task on the instances given (or, with no instance
 * given, on all of them: said explicitly with _all_instances, never by an empty list), then show
 * what a provider error looks like: an unknown task is CLOUDHALT_NOT_FOUND. Credentials from
 * ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET; CLOUDHALT_ENDPOINT points it at
 * the emulator.
 *
 *   cc stop_invocation.c $(pkg-config --cflags --libs cloudhalt) -o stop_invocation
 *   ./stop_invocation cn-hangzhou t-hz0jdfwd9f0001 i-bp67acfmxazb4p0001 i-bp67acfmxazb4p0002
 */
#include <cloudhalt.h>
#include <stdio.h>
#include <stdlib.h>

static int report(const char *what, cloudhalt_status status) {
  const char *code = cloudhalt_last_error_code();
  printf("%s: %s code=%s http=%d\n", what, cloudhalt_status_name(status), code ? code : "-",
         cloudhalt_last_error_http_status());
  return status == CLOUDHALT_OK;
}

int main(int argc, char **argv) {
  const char *region = argc > 1 ? argv[1] : "cn-hangzhou";
  const char *task = argc > 2 ? argv[2] : "t-hz0jdfwd9f0001";
  const char *const *ids = argc > 3 ? (const char *const *)&argv[3] : NULL;
  size_t n = argc > 3 ? (size_t)(argc - 3) : 0;
  const char *endpoint = getenv("CLOUDHALT_ENDPOINT");
  cloudhalt_alibaba *alibaba = NULL;
  cloudhalt_response *response = NULL;
  int ok = 0;

  cloudhalt_status status = cloudhalt_alibaba_from_env(&alibaba);
  if (status == CLOUDHALT_OK && endpoint != NULL)
    status = cloudhalt_alibaba_set_endpoint(alibaba, endpoint);
  if (status != CLOUDHALT_OK) {
    fprintf(stderr, "%s: %s\n", cloudhalt_status_name(status), cloudhalt_last_error_message());
    goto done;
  }
  if (n > 0)
    status = cloudhalt_alibaba_stop_invocation_instances(alibaba, region, task, ids, n, &response);
  else
    status = cloudhalt_alibaba_stop_invocation_all_instances(alibaba, region, task, &response);
  ok = report("StopInvocation", status);
  if (ok) printf("RequestId present: %s\n", cloudhalt_response_request_id(response)[0] ? "yes" : "no");

  /* An unknown task: the provider's answer, classified. */
  status = cloudhalt_alibaba_stop_invocation_all_instances(alibaba, region, "t-doesnotexist0", NULL);
  report("StopInvocation unknown task", status);

done:
  cloudhalt_response_free(response);
  cloudhalt_alibaba_free(alibaba);
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
