/* replay.c - run a fuzz target's LLVMFuzzerTestOneInput over files, without
 * libFuzzer.  `make check` uses it to replay every seed and every past crash
 * (tests/fuzz/corpus/<target>/) through the normal (and sanitizer) build, so
 * a crash found once stays fixed.  Prints TAP: one line per file. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path, int n)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		printf("not ok %d - %s (unreadable)\n", n, path);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
	size_t got = fread(buf, 1, (size_t)(len > 0 ? len : 0), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, got);
	free(buf);
	/* Reaching here means no crash: sanitizers abort on errors. */
	printf("ok %d - %s\n", n, strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	return 0;
}

/* Room for one more name (the list only grows; out of memory ends the run). */
static char **grow(char **files, size_t n)
{
	char **f = realloc(files, (n + 1) * sizeof(*files));
	if (!f) {
		perror("replay");
		exit(2);
	}
	return f;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	char **files = NULL;
	size_t n = 0;
	char *dflt[2] = {argv[0], NULL};
#ifdef FUZZ_TARGET
	/* Without arguments: the target's corpus in the source tree. */
	const char *top = getenv("top_srcdir");
	if (argc < 2 && top) {
		size_t l = strlen(top) + sizeof("/tests/fuzz/corpus/" FUZZ_TARGET);
		dflt[1] = malloc(l);
		snprintf(dflt[1], l, "%s/tests/fuzz/corpus/%s", top, FUZZ_TARGET);
		argv = dflt;
		argc = 2;
	}
#endif
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *e;
			while (d && (e = readdir(d))) {
				if (e->d_name[0] == '.')
					continue;
				files = grow(files, n);
				size_t l = strlen(argv[i]) + strlen(e->d_name) + 2;
				files[n] = malloc(l);
				snprintf(files[n], l, "%s/%s", argv[i], e->d_name);
				n++;
			}
			if (d)
				closedir(d);
		} else {
			files = grow(files, n);
			files[n++] = strdup(argv[i]);
		}
	}
	if (n)
		qsort(files, n, sizeof(*files), cmp);
	printf("1..%zu\n", n);
	int fails = 0;
	for (size_t i = 0; i < n; i++) {
		fails += run_file(files[i], (int)i + 1);
		free(files[i]);
	}
	free(files);
	free(dflt[1]);
	return fails ? 1 : 0;
}
