/* The header's version macros equal Cargo.toml's version (passed in by scripts/test-c.sh as
 * -DCARGO_VERSION="\"x.y.z\"" and the parts), cloudhalt_version() equals CLOUDHALT_VERSION,
 * the status values are 0..14 exactly as issue 4 lists them, then CLOUDHALT_AUDIT (15, issue 9),
 * CLOUDHALT_WAIT_TIMEOUT and CLOUDHALT_WAIT_FAILED (16, 17, issue 10),
 * and the outcome values are 0..3. */
#include <cloudhalt.h>
#include <stdio.h>
#include <string.h>

#ifndef CARGO_VERSION
#error "compile with -DCARGO_VERSION=\"x.y.z\" -DCARGO_MAJOR=x -DCARGO_MINOR=y -DCARGO_PATCH=z"
#endif

int main(void) {
  int failures = 0;
#define EXPECT(cond)                                        \
  if (!(cond)) {                                            \
    fprintf(stderr, "test_version: failed: %s\n", #cond);  \
    failures++;                                             \
  }
  EXPECT(strcmp(cloudhalt_version(), CLOUDHALT_VERSION) == 0);
  EXPECT(strcmp(CLOUDHALT_VERSION, CARGO_VERSION) == 0);
  EXPECT(CLOUDHALT_VERSION_MAJOR == CARGO_MAJOR);
  EXPECT(CLOUDHALT_VERSION_MINOR == CARGO_MINOR);
  EXPECT(CLOUDHALT_VERSION_PATCH == CARGO_PATCH);
  EXPECT(CLOUDHALT_VERSION_NUMBER == ((CARGO_MAJOR << 16) | (CARGO_MINOR << 8) | CARGO_PATCH));
  EXPECT(CLOUDHALT_OK == 0);
  EXPECT(CLOUDHALT_INVALID_INPUT == 1);
  EXPECT(CLOUDHALT_CREDENTIALS == 2);
  EXPECT(CLOUDHALT_TRANSPORT == 3);
  EXPECT(CLOUDHALT_TIMEOUT == 4);
  EXPECT(CLOUDHALT_AUTH == 5);
  EXPECT(CLOUDHALT_THROTTLED == 6);
  EXPECT(CLOUDHALT_NOT_FOUND == 7);
  EXPECT(CLOUDHALT_CONFLICT == 8);
  EXPECT(CLOUDHALT_STATE_CONFLICT == 8);
  EXPECT(CLOUDHALT_INVALID_PARAMETER == 9);
  EXPECT(CLOUDHALT_QUOTA == 10);
  EXPECT(CLOUDHALT_SERVER == 11);
  EXPECT(CLOUDHALT_API == 12);
  EXPECT(CLOUDHALT_UNEXPECTED_RESPONSE == 13);
  EXPECT(CLOUDHALT_PANIC == 14);
  EXPECT(CLOUDHALT_AUDIT == 15);
  EXPECT(CLOUDHALT_WAIT_TIMEOUT == 16);
  EXPECT(CLOUDHALT_WAIT_FAILED == 17);
  EXPECT(CLOUDHALT_OUTCOME_DONE == 0);
  EXPECT(CLOUDHALT_OUTCOME_ALREADY == 1);
  EXPECT(CLOUDHALT_OUTCOME_FAILED == 2);
  EXPECT(CLOUDHALT_OUTCOME_UNKNOWN == 3);
  EXPECT(sizeof(cloudhalt_outcome) == sizeof(int));
  EXPECT(sizeof(cloudhalt_status) == sizeof(int));
  if (failures == 0) printf("test_version: %s ok\n", cloudhalt_version());
  return failures == 0 ? 0 : 1;
}
