/* photorigd: a node's reports of the rig's sets, until their coordinator
 * has them (see cluster.h), on the loop thread.
 *
 * A node reports each rig set it shot (file_saved per file, set_finished)
 * when the set ends. That report can miss the coordinator: the node was
 * killed before the set's end and settles the set from its journal after a
 * restart, the broker was away, or the coordinator gave the node up before
 * its report came. So a node keeps, per session, SESSION/rig_reports.jsonl:
 *   {"ev":"armed","set":N,"coordinator":NODE}    written when a coordinator arms set N
 *   {"ev":"recorded","set":N}                     the coordinator has the report
 *   {"ev":"refused","set":N,"reason":TEXT}        the coordinator cannot take it
 *   {"ev":"not_shot","set":N}                     this node could not shoot it after all
 * A set armed and neither recorded nor refused is pending: once it is
 * finished in the node's journal, its report is sent again, addressed to
 * its coordinator (the events' "to"), whenever this node is connected and
 * the coordinator is online, at most every LATE_RETRY_NS, until the
 * coordinator answers (reply op "report"). The file is small (a line or two
 * per set), appended, and synced at the end of each set with the journal.
 *
 * The coordinator answers every set_finished of a node. A late one (sent
 * again, or after the node was given up) is added to the set it already
 * finished: the files not yet named, the node's end; rig_manifest.json is
 * written again (atomically) and the set is complete when every node's
 * cameras are accounted for. A late report for a set it does not know, for
 * another session, or for a file it has already is dropped and logged. */
#define _GNU_SOURCE
#include "cluster_int.h"
#include "daemon.h"
#include "loop.h"
#include "session.h"
#include "sync.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define LATE_FILE "rig_reports.jsonl"
#define LATE_RETRY_NS (10 * 1000000000LL) /* no answer by then: the report goes again */
#define LATE_FILE_MAX (16 << 20)

enum late_state { LATE_PENDING = 0, LATE_RECORDED, LATE_REFUSED, LATE_NOT_SHOT };

struct late_set {
	uint32_t set;
	char coordinator[PR_CL_NAME_MAX + 1];
	enum late_state state;
	int64_t next_try_ns;     /* mono; 0: as soon as the coordinator is there */
	uint32_t tries;          /* sent again so often */
};

struct cl_late {
	char session[PR_CL_NAME_MAX + 1];   /* whose sets these are ("": none read) */
	struct late_set *v;
	uint32_t n, cap;
};

void cl_late_fini(struct cluster *cl)
{
	if (cl->late)
		free(cl->late->v);
	free(cl->late);
	cl->late = NULL;
}

static struct late_set *late_find(struct cl_late *l, uint32_t set)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (l->v[i].set == set)
			return &l->v[i];
	return NULL;
}

static struct late_set *late_add(struct cl_late *l, uint32_t set, const char *coordinator)
{
	struct late_set *e = late_find(l, set);
	if (!e) {
		if (l->n == l->cap) {
			uint32_t cap = l->cap ? 2 * l->cap : 64;
			struct late_set *v = realloc(l->v, cap * sizeof(*v));
			if (!v)
				return NULL;
			l->v = v;
			l->cap = cap;
		}
		e = &l->v[l->n++];
	}
	memset(e, 0, sizeof(*e));
	e->set = set;
	snprintf(e->coordinator, sizeof(e->coordinator), "%s", coordinator);
	return e;
}

static void late_line(struct cl_late *l, json_object *o)
{
	const char *ev = pr_json_str(o, "ev", "");
	int64_t set = pr_json_int(o, "set", 0);
	if (set <= 0 || set > UINT32_MAX)
		return;
	struct late_set *e = late_find(l, (uint32_t)set);
	if (!strcmp(ev, "armed"))
		late_add(l, (uint32_t)set, pr_json_str(o, "coordinator", ""));
	else if (e && !strcmp(ev, "recorded"))
		e->state = LATE_RECORDED;
	else if (e && !strcmp(ev, "refused"))
		e->state = LATE_REFUSED;
	else if (e && !strcmp(ev, "not_shot"))
		e->state = LATE_NOT_SHOT;
}

/* The record of the active session (read again when the session changed);
 * NULL without a session or memory. */
static struct cl_late *late_get(struct daemon *d)
{
	struct cluster *cl = d->cluster;
	if (!d->session)
		return NULL;
	if (!cl->late && !(cl->late = calloc(1, sizeof(*cl->late))))
		return NULL;
	struct cl_late *l = cl->late;
	if (!strcmp(l->session, d->session->name))
		return l;
	l->n = 0;
	snprintf(l->session, sizeof(l->session), "%s", d->session->name);
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0, bad = 0, total = 0;
	ssize_t len;
	if (pathf(path, sizeof(path), "%s/%s", d->session->dir, LATE_FILE))
		return l;
	FILE *f = fopen(path, "re");
	if (!f) {
		if (errno != ENOENT)
			LOG_ERR("cluster: cannot read %s: %s", path, strerror(errno));
		return l;
	}
	while ((len = getline(&line, &cap, f)) > 0 && (total += (size_t)len) < LATE_FILE_MAX) {
		json_object *o = line[len - 1] == '\n' ? json_tokener_parse(line) : NULL;
		if (o && json_object_is_type(o, json_type_object))
			late_line(l, o);
		else
			bad++;
		json_object_put(o);
	}
	free(line);
	fclose(f);
	if (bad)
		LOG_WARN("cluster: %s: %zu unreadable line%s skipped", path, bad, bad == 1 ? "" : "s");
	return l;
}

/* Append one line to the session's record. */
static void late_append(struct daemon *d, json_object *o)
{
	char path[PATH_MAX];
	if (pathf(path, sizeof(path), "%s/%s", d->session->dir, LATE_FILE))
		return;
	size_t len;
	const char *text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	char *buf = fd >= 0 ? malloc(len + 1) : NULL;
	int ok = buf != NULL;
	if (buf) {
		memcpy(buf, text, len);
		buf[len] = '\n';
		ok = write(fd, buf, len + 1) == (ssize_t)(len + 1);
	}
	if (!ok)
		LOG_RATELIMITED(PR_LOG_ERR, "cluster: cannot write %s: %s", path, strerror(errno));
	free(buf);
	if (fd >= 0)
		close(fd);
}

static void late_note(struct daemon *d, const char *ev, uint32_t set, const char *key,
		      const char *value)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ev", json_object_new_string(ev));
	json_object_object_add(o, "set", json_object_new_int64(set));
	if (key)
		json_object_object_add(o, key, json_object_new_string(value));
	late_append(d, o);
	json_object_put(o);
}

/* ---- a node ---- */

void cl_late_armed(struct daemon *d, const struct pr_cl_msg *arm)
{
	struct cl_late *l = late_get(d);
	if (!l || !late_add(l, arm->set, arm->from))
		return;
	late_note(d, "armed", arm->set, "coordinator", arm->from);
}

/* The arm of set was refused after all (the capture could not start): a set
 * of that number this node shoots later is its own. */
void cl_late_not_shot(struct daemon *d, uint32_t set)
{
	struct cl_late *l = late_get(d);
	struct late_set *e = l ? late_find(l, set) : NULL;
	if (!e)
		return;
	e->state = LATE_NOT_SHOT;
	late_note(d, "not_shot", set, NULL, NULL);
}

int cl_late_rig_set(struct daemon *d, uint32_t set)
{
	struct cl_late *l = late_get(d);
	struct late_set *e = l ? late_find(l, set) : NULL;
	return e && e->state != LATE_NOT_SHOT;
}

void cl_late_reported(struct daemon *d, uint32_t set)
{
	struct cl_late *l = late_get(d);
	struct late_set *e = l ? late_find(l, set) : NULL;
	if (!e)
		return;
	/* sent now: wait for the answer; not connected: as soon as we are */
	e->next_try_ns = d->cluster->connected ? mono_ns() + LATE_RETRY_NS : 0;
	/* on disk with the set's end (the journal is synced at each set's end) */
	char path[PATH_MAX];
	int fd = pathf(path, sizeof(path), "%s/%s", d->session->dir, LATE_FILE) ? -1 :
		 open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && fdatasync(fd))
		LOG_RATELIMITED(PR_LOG_ERR, "cluster: cannot sync %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

void cl_report_set(struct daemon *d, const struct set_rec *set, const char *to, int local)
{
	struct cluster *cl = d->cluster;
	struct pr_cl_msg *m = malloc(sizeof(*m));
	if (!m)
		return;
	uint32_t nmissing = 0;
	static char missing[PR_CL_MAX_CAMERAS][PR_CL_NAME_MAX + 1]; /* loop thread only */
	for (uint32_t i = 0; i < set->nshots; i++) {
		const struct shot_rec *r = &set->shots[i];
		if (r->state != SHOT_SAVED) {
			if (nmissing < PR_CL_MAX_CAMERAS)
				snprintf(missing[nmissing++], sizeof(missing[0]), "%s", r->camera);
			continue;
		}
		pr_cl_msg_init(m, PR_CL_EVENT, cl->cfg.rig, cl->cfg.node);
		m->event = PR_CL_EV_FILE_SAVED;
		snprintf(m->to, sizeof(m->to), "%s", to ? to : "");
		snprintf(m->session, sizeof(m->session), "%s", d->session->name);
		m->set = set->number;
		snprintf(m->camera, sizeof(m->camera), "%s", r->camera);
		snprintf(m->serial, sizeof(m->serial), "%s", r->serial);
		for (char *p = m->serial; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		snprintf(m->file, sizeof(m->file), "%s", r->file);
		m->size = r->size;
		m->hash = r->hash;
		m->trigger_ns = r->trigger_ns;
		m->sent_ns = cl_realtime_ns();
		cl_publish(cl, m, NULL, 0);
	}
	pr_cl_msg_init(m, PR_CL_EVENT, cl->cfg.rig, cl->cfg.node);
	m->event = PR_CL_EV_SET_FINISHED;
	snprintf(m->to, sizeof(m->to), "%s", to ? to : "");
	snprintf(m->session, sizeof(m->session), "%s", d->session->name);
	m->set = set->number;
	m->complete = set->complete;
	m->local = local;
	m->clock = cl->clock;
	m->nmissing = nmissing;
	memcpy(m->missing, missing, sizeof(missing[0]) * nmissing);
	m->sent_ns = cl_realtime_ns();
	cl_publish(cl, m, NULL, 0);
	free(m);
}

static const struct set_rec *finished_set(const struct session *s, uint32_t number)
{
	for (uint32_t i = s->nsets; i-- > 0;)
		if (s->sets[i]->number == number)
			return s->sets[i]->finished ? s->sets[i] : NULL;
	return NULL;
}

static int peer_online(const struct cluster *cl, const char *name)
{
	for (uint32_t i = 0; i < cl->npeers; i++)
		if (!strcmp(cl->peers[i].name, name))
			return cl->peers[i].online && cl->peers[i].state;
	return 0;
}

/* Loop, every tick: pending reports whose coordinator is there go again. */
void cl_late_tick(struct daemon *d)
{
	struct cluster *cl = d->cluster;
	struct cl_late *l = cl->connected ? late_get(d) : NULL;
	int64_t now = mono_ns();
	for (uint32_t i = 0; l && i < l->n; i++) {
		struct late_set *e = &l->v[i];
		const struct set_rec *set;
		if (e->state != LATE_PENDING || now < e->next_try_ns || !peer_online(cl, e->coordinator) ||
		    !(set = finished_set(d->session, e->set)))
			continue;
		if (e->tries++ < 3 || e->tries % 30 == 0)
			LOG_NOTICE("cluster: set %u of session %s: its report goes to its coordinator %s "
				   "again (try %u)", e->set, d->session->name, e->coordinator, e->tries);
		cl_report_set(d, set, e->coordinator, 0);
		e->next_try_ns = now + LATE_RETRY_NS;
	}
}

/* A coordinator's answer to a report of ours: 1 when m was one. */
int cl_late_message(struct daemon *d, const struct pr_cl_msg *m)
{
	struct cluster *cl = d->cluster;
	if (m->kind != PR_CL_REPLY || m->op != PR_CL_OP_REPORT)
		return 0;
	struct cl_late *l = strcmp(m->to, cl->cfg.node) ? NULL : late_get(d);
	struct late_set *e = l ? late_find(l, m->set) : NULL;
	if (!e || strcmp(e->coordinator, m->from) || e->state != LATE_PENDING)
		return 1;
	e->state = m->ok ? LATE_RECORDED : LATE_REFUSED;
	if (m->ok) {
		late_note(d, "recorded", m->set, NULL, NULL);
		if (e->tries)
			LOG_NOTICE("cluster: %s recorded this node's late report of set %u", m->from,
				   m->set);
	} else {
		late_note(d, "refused", m->set, "reason", m->error);
		LOG_WARN("cluster: %s did not record this node's report of set %u: %s (the files stay "
			 "in this node's journal and manifest)", m->from, m->set, m->error);
	}
	return 1;
}

/* ---- the coordinator ---- */

void cl_late_answer(struct cluster *cl, const struct pr_cl_msg *ev, int ok, const char *error)
{
	cl_send_reply(cl, PR_CL_OP_REPORT, ev->from, ev->set ? ev->set : 1, ev->set, ok, error);
}

static uint32_t node_files(const struct rig_set *rs, const char *node, const char *camera)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < rs->nshots; i++)
		n += !strcmp(rs->shots[i].node, node) && (!camera || !strcmp(rs->shots[i].camera, camera));
	return n;
}

int cl_late_event(struct daemon *d, const struct pr_cl_msg *m)
{
	struct cluster *cl = d->cluster;
	if (m->to[0] && strcmp(m->to, cl->cfg.node))
		return 1; /* a late report for another coordinator */
	cl_rig_load(d);
	const char *mine = d->session && !strcmp(cl->rig_session, d->session->name) ? cl->rig_session
										    : NULL;
	struct rig_set *rs = mine && !strcmp(m->session, mine) ? rig_find(cl, m->set) : NULL;
	struct rig_node *n = rs ? rig_node(rs, m->from) : NULL;
	if (!m->to[0] && !(n && n->finished))
		return 0; /* in time: the usual path */
	if (m->event != PR_CL_EV_FILE_SAVED && m->event != PR_CL_EV_SET_FINISHED)
		return 1;
	char why[400] = "";
	int had = 0;
	if (!mine || strcmp(m->session, mine))
		snprintf(why, sizeof(why), "session %s is not the session of the rig sets %s "
			 "coordinates (%s)", m->session, cl->cfg.node, mine ? mine : "none");
	else if (!rs)
		snprintf(why, sizeof(why), "set %u of session %s is not a rig set %s coordinated",
			 m->set, m->session, cl->cfg.node);
	else if (!n)
		snprintf(why, sizeof(why), "node %s had no part in set %u", m->from, m->set);
	else if ((had = m->event == PR_CL_EV_FILE_SAVED ? node_files(rs, m->from, m->camera) > 0
							 : n->reported))
		snprintf(why, sizeof(why), "%s of set %u is already recorded (sent twice)",
			 m->event == PR_CL_EV_FILE_SAVED ? m->file : "its end", m->set);
	if (why[0]) {
		LOG_WARN("cluster: late report from node %s dropped: %s", m->from, why);
		if (m->event == PR_CL_EV_SET_FINISHED)
			cl_late_answer(cl, m, had, had ? NULL : why);
		return 1;
	}
	if (m->event == PR_CL_EV_FILE_SAVED) {
		rig_add_shot(rs, m->from, m->camera, m->serial, m->file, m->size, m->hash,
			     m->trigger_ns);
		return 1;
	}
	n->reported = 1;
	n->clock = m->clock;
	rig_node_done(d, rs, n, m->complete, m->nmissing, (char (*)[PR_CL_NAME_MAX + 1])m->missing);
	int complete = 1;
	for (uint32_t i = 0; i < rs->nnodes; i++)
		complete &= rs->nodes[i].complete;
	uint32_t files = node_files(rs, m->from, NULL);
	LOG_NOTICE("cluster: late report of set %u from node %s arrived: the rig manifest names its %u "
		   "file%s; rig set %u is %s", m->set, m->from, files, files == 1 ? "" : "s", m->set,
		   complete ? "complete now" : "still incomplete");
	cl_late_answer(cl, m, 1, NULL);
	return 1;
}
