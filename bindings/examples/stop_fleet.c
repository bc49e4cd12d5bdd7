/* Stop a fleet: any number of Tencent CVM instances in one call, with an audit log, and one line
 * per ID saying what happened to it. Credentials from TENCENTCLOUD_SECRET_ID and
 * TENCENTCLOUD_SECRET_KEY; CLOUDHALT_ENDPOINT points it at the emulator.
 *
 *   cc stop_fleet.c $(pkg-config --cflags --libs cloudhalt) -o stop_fleet
 *   ./stop_fleet ap-guangzhou audit.log ins-aaaaaaaa ins-bbbbbbbb ...
 *   ./stop_fleet ap-guangzhou audit.log --resume      # finish a batch the log says was cut short
 *
 * Prints "ID outcome [code] [RequestId]" per ID (outcome: done, already, failed, unknown), then
 * "requests N" (requests sent, retries included). Exit status: 0 when every ID is done or
 * already, 1 otherwise.
 */
#include <cloudhalt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  const char *region = argc > 1 ? argv[1] : "ap-guangzhou";
  const char *audit = argc > 2 ? argv[2] : NULL;
  int resume = argc > 3 && strcmp(argv[3], "--resume") == 0;
  const char *const *ids = argc > 3 ? (const char *const *)&argv[3] : NULL;
  size_t n = argc > 3 ? (size_t)(argc - 3) : 0;
  const char *endpoint = getenv("CLOUDHALT_ENDPOINT");
  cloudhalt_tencent *tencent = NULL;
  cloudhalt_response *response = NULL;
  int all_ok = 1;
  size_t i, count;

  cloudhalt_status status = cloudhalt_tencent_from_env(&tencent);
  if (status == CLOUDHALT_OK && endpoint != NULL) status = cloudhalt_tencent_set_endpoint(tencent, endpoint);
  /* The defaults made explicit: 3 attempts, 200 ms to 5 s backoff; 4 requests in flight. */
  if (status == CLOUDHALT_OK) status = cloudhalt_tencent_set_retry(tencent, 3, 200, 5000);
  if (status == CLOUDHALT_OK) status = cloudhalt_tencent_set_concurrency(tencent, 4);
  if (status == CLOUDHALT_OK) status = cloudhalt_tencent_set_audit_log(tencent, audit);
  if (status == CLOUDHALT_OK) {
    if (resume)
      status = cloudhalt_tencent_resume(tencent, audit, &response);
    else
      status = cloudhalt_tencent_stop_instances(tencent, region, ids, n, false, NULL, NULL, &response);
  }
  if (status == CLOUDHALT_OK) {
    count = cloudhalt_response_outcome_count(response);
    for (i = 0; i < count; i++)
      printf("%s %s %s\n", cloudhalt_response_outcome_id(response, i),
             cloudhalt_outcome_name(cloudhalt_response_outcome(response, i)),
             cloudhalt_response_outcome_request_id(response, i));
    printf("requests %u\n", (unsigned)cloudhalt_response_attempts(response));
  } else {
    /* A failed call still accounts for every ID it was given (none for an input error). */
    fprintf(stderr, "%s: %s\n", cloudhalt_status_name(status), cloudhalt_last_error_message());
    count = cloudhalt_last_error_outcome_count();
    for (i = 0; i < count; i++) {
      const char *code = cloudhalt_last_error_outcome_code(i);
      const char *request_id = cloudhalt_last_error_outcome_request_id(i);
      printf("%s %s %s %s\n", cloudhalt_last_error_outcome_id(i),
             cloudhalt_outcome_name(cloudhalt_last_error_outcome(i)), code ? code : "-",
             request_id ? request_id : "-");
    }
    printf("requests %u\n", (unsigned)cloudhalt_last_error_attempts());
    all_ok = 0;
  }
  cloudhalt_response_free(response);
  cloudhalt_tencent_free(tencent);
  return all_ok ? 0 : 1;
}
