/* photorig config, internal: the key table and the typed value helpers that
 * parsing, printing and comparison share. Not for use outside config/. */
#ifndef PHOTORIG_CONFIG_SCHEMA_H
#define PHOTORIG_CONFIG_SCHEMA_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"

enum cfg_section {
	SEC_DAEMON = 0,
	SEC_RIG,
	SEC_CAMERA,
	SEC_TURNTABLE,
	SEC_TRIGGER,
	SEC_WEB,
	SEC_CLUSTER,
	SEC_COUNT,
};

enum cfg_type {
	CT_STRING,  /* char[size] */
	CT_PATH,    /* char[size], relative paths resolved against the config's folder */
	CT_INT,     /* int */
	CT_U32,     /* uint32_t */
	CT_DOUBLE,  /* double */
	CT_BOOL,    /* int 0/1: true/false yes/no on/off 1/0 */
	CT_ENUM,    /* enum (int-sized): index into values */
	CT_LIST,    /* unsigned bit set: bit i = values[i]; comma separated */
	CT_COLOUR,  /* uint8_t[3]: RRGGBB or #RRGGBB */
	CT_REGION,  /* appended to struct pr_mask_params regions; repeatable */
};

enum {
	CK_REQUIRED = 1u << 0,  /* must appear in every instance of its section */
	CK_EXCLUDE = 1u << 1,   /* region key that excludes */
	CK_REPEAT = 1u << 2,    /* may appear several times */
	CK_MASK = 1u << 3,      /* camera mask key: inherits the [rig] value when absent */
};

struct cfg_key {
	enum cfg_section section;
	const char *key;
	enum cfg_type type;
	size_t offset;              /* into the section's struct */
	size_t size;                /* of the field */
	double min, max;            /* numbers: range; strings: min length in min */
	const char *def;            /* default, as config text; NULL = none */
	const char *const *values;  /* CT_ENUM / CT_LIST names, NULL-terminated */
	unsigned drivers;           /* bit (1 << driver) of the drivers it applies to; 0 = all */
	unsigned flags;
	/* Extra check of the stored field (string or number); 0 or -1 with why. */
	int (*check)(const void *field, char *why, size_t size);
};

extern const struct cfg_key pr_cfg_keys[];
extern const unsigned pr_cfg_nkeys;
#define CFG_MAX_KEYS 112

extern const char *const pr_cfg_section_names[SEC_COUNT];
extern const char *const pr_cfg_cam_drivers[];
extern const char *const pr_cfg_tt_drivers[];
extern const char *const pr_cfg_trig_drivers[];

/* The key of section sec named key, or NULL. */
const struct cfg_key *cfg_find_key(enum cfg_section sec, const char *key);
/* A key of sec close to key (edit distance), or NULL. */
const struct cfg_key *cfg_suggest_key(enum cfg_section sec, const char *key);
/* A key of that name in another section, or NULL. */
const struct cfg_key *cfg_key_elsewhere(enum cfg_section sec, const char *key);
/* Names of the drivers a key applies to, "gphoto2 or v4l2". */
void cfg_driver_list(const struct cfg_key *k, char *buf, size_t size);
/* What a value of k may be, for messages: "1..64", "plate, chroma", ... */
void cfg_allowed(const struct cfg_key *k, char *buf, size_t size);

/* Levenshtein distance, capped (returns cap + 1 beyond it). */
unsigned cfg_edit_distance(const char *a, const char *b, unsigned cap);

/* Remove surrounding double quotes and their escapes; plain text is copied
 * as is. 0, or -1 with why. */
int cfg_unquote(const char *in, char *out, size_t size, char *why, size_t wsize);
/* Parse text (already unquoted) into the field of k in base. base_dir
 * resolves relative CT_PATH values (NULL: keep them). CT_REGION appends. */
int cfg_parse_value(const struct cfg_key *k, const char *text, void *base, const char *base_dir,
		    char *why, size_t wsize);
/* Write the value of k in base as config text (quoted where needed).
 * Not for CT_REGION. */
void cfg_print_value(const struct cfg_key *k, const void *base, FILE *fp);
int cfg_value_equal(const struct cfg_key *k, const void *a, const void *b);

/* Write s as a config value: as is when it reads back unchanged, else in
 * double quotes with escapes. */
void cfg_print_string(FILE *fp, const char *s);
/* Characters cfg_print_string writes for s. */
size_t cfg_printed_len(const char *s);
/* 0 when "key = value" as printed fits in one config line (the printed
 * config must load again), else -1 with why. Found by tests/fuzz/fuzz_config:
 * escapes can make a value of a 199-character line print four times longer. */
int cfg_check_printable_line(const char *key, const char *value, char *why, size_t wsize);
/* Shortest text that strtod reads back to exactly v. */
void cfg_format_double(double v, char *buf, size_t size);
/* Canonical region text whose parse gives r exactly. */
void cfg_format_region(const struct pr_region *r, char *buf, size_t size);

/* The driver value of a section instance (camera, turntable, trigger); -1
 * when the section has no driver. */
int cfg_section_driver(enum cfg_section sec, const void *base);

/* Parse and check text (len bytes, need not end in NUL) as file `name`;
 * see pr_config_load for the contract. In config_parse.c. */
int cfg_load_text(const char *text, size_t len, const char *name, const char *base_dir,
		  struct pr_config *out, struct pr_error_list *errs);

/* After the whole file, when [cluster] was given: fill the defaults that
 * depend on other sections or on the machine (node: the host name; rig: the
 * [rig] name), split the broker address, and check what single values
 * cannot (mqtts needs ca_file; password_file needs username and is readable
 * by its owner only). lines: where each key of pr_cfg_keys was set (0: not);
 * header: the [cluster] line. Each error goes to err with its line. */
typedef void (*cfg_err_fn)(void *ctx, int line, const char *msg);
struct pr_config;
void cfg_cluster_finish(struct pr_config *cfg, const int *lines, int header, cfg_err_fn err,
			void *ctx);

/* [cluster]: its rows (PR_CFG_CLUSTER_KEYS) and checks of single values */
#include "config_cluster.h"

#endif
