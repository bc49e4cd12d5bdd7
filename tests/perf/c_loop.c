/* The C row of tests/perf/run: THREADS threads share one cloudhalt_tencent client and make N
 * StopInstances calls in all (1 ID each, the client-side rate limit off, as in the Rust row)
 * against URL, after a warm-up; prints calls per second.
 *
 *   c_loop URL N THREADS
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cloudhalt.h"

static struct cloudhalt_tencent *client;
static long per_thread;

static void call_once(void) {
    const char *ids[] = {"ins-r8hr2upy"};
    struct cloudhalt_response *r = NULL;
    if (cloudhalt_tencent_stop_instances(client, "ap-guangzhou", ids, 1, false, NULL, NULL, &r) !=
        CLOUDHALT_OK) {
        fprintf(stderr, "c_loop: StopInstances failed\n");
        exit(1);
    }
    cloudhalt_response_free(r);
}

static void *run(void *arg) {
    (void)arg;
    for (long i = 0; i < per_thread; i++) {
        call_once();
    }
    return NULL;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: c_loop URL N THREADS\n");
        return 2;
    }
    long n = atol(argv[2]);
    int threads = atoi(argv[3]);
    if (n < 1 || threads < 1 || threads > 64) {
        fprintf(stderr, "c_loop: N >= 1 and 1 <= THREADS <= 64\n");
        return 2;
    }
    if (cloudhalt_tencent_new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                              "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", NULL, &client) != CLOUDHALT_OK ||
        cloudhalt_tencent_set_endpoint(client, argv[1]) != CLOUDHALT_OK ||
        cloudhalt_tencent_set_rate_limit(client, false) != CLOUDHALT_OK) {
        fprintf(stderr, "c_loop: cannot make the client\n");
        return 1;
    }
    per_thread = n / threads > 0 ? n / threads : 1;
    for (long i = 0; i < n / 10 + 1; i++) {
        call_once();
    }
    pthread_t pool[64];
    double start = now();
    for (int i = 0; i < threads; i++) {
        pthread_create(&pool[i], NULL, run, NULL);
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(pool[i], NULL);
    }
    double elapsed = now() - start;
    printf("%.1f\n", (double)(per_thread * threads) / elapsed);
    cloudhalt_tencent_free(client);
    return 0;
}
