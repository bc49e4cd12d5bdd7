/* Stop one Tencent Cloud CVM instance, with credentials from the default chain
 * (TENCENTCLOUD_SECRET_ID / _SECRET_KEY, ~/.tccli, the CVM role ...) and, when
 * CLOUDHALT_ENDPOINT is set, another endpoint (the emulator: `cloudhalt emulator --port 0`).
 *
 *   cc quickstart.c $(pkg-config --cflags --libs cloudhalt) -o quickstart
 *   ./quickstart ap-guangzhou ins-run00000
 */
#include <cloudhalt.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  const char *region = argc > 1 ? argv[1] : "ap-guangzhou";
  const char *ids[] = {argc > 2 ? argv[2] : "ins-run00000"};
  const char *endpoint = getenv("CLOUDHALT_ENDPOINT");
  cloudhalt_tencent *tencent = NULL;
  cloudhalt_response *response = NULL;
  cloudhalt_status status = cloudhalt_tencent_from_env(&tencent);
  if (status == CLOUDHALT_OK && endpoint != NULL)
    status = cloudhalt_tencent_set_endpoint(tencent, endpoint);
  if (status == CLOUDHALT_OK)
    status = cloudhalt_tencent_stop_instances(tencent, region, ids, 1, false, "SOFT_FIRST", NULL,
                                              &response);
  if (status == CLOUDHALT_OK) {
    printf("stopping %s, RequestId %s\n", ids[0], cloudhalt_response_request_id(response));
  } else {
    const char *code = cloudhalt_last_error_code();
    const char *request_id = cloudhalt_last_error_request_id();
    fprintf(stderr, "%s: %s (code %s, RequestId %s)\n", cloudhalt_status_name(status),
            cloudhalt_last_error_message(), code ? code : "-", request_id ? request_id : "-");
  }
  cloudhalt_response_free(response);
  cloudhalt_tencent_free(tencent);
  return status == CLOUDHALT_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}
