/* photorigd: the cluster link's libmosquitto side (see cluster.h).
 *
 * Everything here but cl_publish* runs on libmosquitto's network thread or
 * before it starts. The callbacks check what arrives before the loop sees
 * it: the size limit first (nothing bigger is parsed), then the topic, then
 * the payload through the one decoder (cluster_msg.c), then that the payload
 * names our rig and the sender its topic names. What fails is posted as
 * dropped, with why, for the loop to count and log. */
#define _GNU_SOURCE
#include "cluster_int.h"
#include "daemon.h"
#include "loop.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include "log.h"

#define CL_KEEPALIVE_S 10
#define CL_RECONNECT_MIN_S 1
#define CL_RECONNECT_MAX_S 16

int64_t cl_realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void cl_post(struct cluster *cl, struct cl_post *p)
{
	p->next = NULL;
	pthread_mutex_lock(&cl->lock);
	if (cl->tail)
		cl->tail->next = p;
	else
		cl->head = p;
	cl->tail = p;
	pthread_mutex_unlock(&cl->lock);
	uint64_t one = 1;
	if (write(cl->evfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		LOG_RATELIMITED(PR_LOG_ERR, "cluster: cannot wake the main loop: %s", strerror(errno));
}

struct cl_post *cl_take_all(struct cluster *cl)
{
	uint64_t n;
	if (read(cl->evfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		LOG_RATELIMITED(PR_LOG_ERR, "cluster: eventfd read: %s", strerror(errno));
	pthread_mutex_lock(&cl->lock);
	struct cl_post *p = cl->head;
	cl->head = cl->tail = NULL;
	pthread_mutex_unlock(&cl->lock);
	return p;
}

static void post_text(struct cluster *cl, enum cl_post_type type, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void post_text(struct cluster *cl, enum cl_post_type type, int rc, const char *fmt, ...)
{
	struct cl_post *p = calloc(1, sizeof(*p));
	if (!p) {
		LOG_RATELIMITED(PR_LOG_ERR, "cluster: out of memory");
		return;
	}
	p->type = type;
	p->rc = rc;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->text, sizeof(p->text), fmt, ap);
	va_end(ap);
	cl_post(cl, p);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	struct cluster *cl = obj;
	if (rc) {
		/* MQTT 3.1.1 CONNACK codes 4 and 5: the user or the password is
		 * wrong, or the user may not connect */
		post_text(cl, CLP_REFUSED, rc, "the broker %s refused %s%s%s: %s%s", cl->cfg.broker,
			  cl->cfg.username[0] ? "user '" : "an anonymous client",
			  cl->cfg.username, cl->cfg.username[0] ? "'" : "",
			  mosquitto_connack_string(rc),
			  rc == 4 || rc == 5 ? " (check [cluster] username and password_file, and the "
			  "broker's password file and ACLs)" : "");
		return;
	}
	char topic[PR_CL_TOPIC_MAX];
	pr_cl_topic(topic, sizeof(topic), cl->cfg.rig, "#", "");
	topic[strlen(topic) - 1] = '\0'; /* photorig/RIG/#/ -> photorig/RIG/# */
	int s = mosquitto_subscribe(mosq, NULL, topic, 1);
	if (s != MOSQ_ERR_SUCCESS)
		post_text(cl, CLP_DISCONNECTED, s, "cannot subscribe to %s: %s", topic,
			  mosquitto_strerror(s));
	post_text(cl, CLP_CONNECTED, 0, "connected");
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
	(void)mosq;
	struct cluster *cl = obj;
	/* rc 0: we asked for it (stopping) */
	if (rc)
		post_text(cl, CLP_DISCONNECTED, rc, "lost the broker %s: %s", cl->cfg.broker,
			  rc == MOSQ_ERR_CONN_LOST ? "connection lost" : mosquitto_strerror(rc));
}

static void drop(struct cluster *cl, const char *topic, const char *why)
{
	post_text(cl, CLP_DROPPED, 0, "dropped a message on %.160s: %s", topic, why);
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
	(void)mosq;
	struct cluster *cl = obj;
	char rig[PR_CL_NAME_MAX + 1], what[16], node[PR_CL_NAME_MAX + 1], why[600];
	if (msg->payloadlen > PR_CL_MAX_MSG) {
		snprintf(why, sizeof(why), "oversized (%d bytes, the limit is %d)", msg->payloadlen,
			 PR_CL_MAX_MSG);
		drop(cl, msg->topic, why);
		return;
	}
	if (pr_cl_topic_parse(msg->topic, rig, what, node) || strcmp(rig, cl->cfg.rig)) {
		drop(cl, msg->topic, "not a topic of this rig (photorig/RIG/state|cmd|reply|event/NODE)");
		return;
	}
	/* a retained state cleared by an operator: nothing to read */
	if (msg->payloadlen == 0 && !strcmp(what, "state"))
		return;
	struct pr_cl_msg *m = malloc(sizeof(*m));
	if (!m) {
		drop(cl, msg->topic, "out of memory");
		return;
	}
	struct pr_error err = { 0 };
	if (pr_cl_decode(msg->payload, (size_t)msg->payloadlen, m, &err)) {
		snprintf(why, sizeof(why), "%s", err.msg);
		drop(cl, msg->topic, why);
		free(m);
		return;
	}
	if (strcmp(m->rig, cl->cfg.rig)) {
		snprintf(why, sizeof(why), "for another rig ('%s'; this is '%s')", m->rig, cl->cfg.rig);
		drop(cl, msg->topic, why);
	} else if (strcmp(m->kind == PR_CL_CMD || m->kind == PR_CL_REPLY ? m->to : m->from, node) ||
		   strcmp(pr_cl_kind_name(m->kind), what)) {
		/* state and events go under their sender's name, commands and
		 * replies under their addressee's */
		snprintf(why, sizeof(why), "a %s from '%s' does not belong on this topic",
			 pr_cl_kind_name(m->kind), m->from);
		drop(cl, msg->topic, why);
	} else if (strcmp(m->from, cl->cfg.node)) {
		/* our own messages come back (we subscribe to the whole rig): the
		 * loop did what they say already */
		struct cl_post *p = calloc(1, sizeof(*p));
		if (p) {
			p->type = CLP_MESSAGE;
			p->msg = m;
			cl_post(cl, p);
			return;
		}
	}
	free(m);
}

static int read_password(const char *path, char *buf, size_t size)
{
	FILE *fp = fopen(path, "re");
	if (!fp)
		return -1;
	int ok = fgets(buf, (int)size, fp) != NULL;
	fclose(fp);
	if (!ok)
		buf[0] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static int link_started(struct cluster *cl, int rc);

int cl_link_open(struct cluster *cl)
{
	const struct pr_cluster_config *c = &cl->cfg;
	char id[96], topic[PR_CL_TOPIC_MAX];
	int rc;
	mosquitto_lib_init();
	/* one client id per node: a second process with it would take over */
	snprintf(id, sizeof(id), "photorig-%s-%s", c->rig, c->node);
	cl->mosq = mosquitto_new(id, true, cl);
	if (!cl->mosq) {
		LOG_ERR("cluster: cannot create the MQTT client: %s", strerror(errno));
		return -1;
	}
	mosquitto_connect_callback_set(cl->mosq, on_connect);
	mosquitto_disconnect_callback_set(cl->mosq, on_disconnect);
	mosquitto_message_callback_set(cl->mosq, on_message);
	mosquitto_reconnect_delay_set(cl->mosq, CL_RECONNECT_MIN_S, CL_RECONNECT_MAX_S, true);
	/* the Will: the broker says we are gone when we vanish */
	struct pr_cl_msg *will = calloc(1, sizeof(*will));
	char *payload = NULL;
	size_t len = 0;
	struct pr_error err = { 0 };
	if (!will)
		return -1;
	pr_cl_msg_init(will, PR_CL_STATE, c->rig, c->node);
	rc = pr_cl_encode(will, &payload, &len, &err);
	free(will);
	if (rc) {
		LOG_ERR("cluster: cannot build the Last Will: %s", err.msg);
		return -1;
	}
	pr_cl_topic(topic, sizeof(topic), c->rig, "state", c->node);
	rc = mosquitto_will_set(cl->mosq, topic, (int)len, payload, 1, true);
	free(payload);
	if (rc != MOSQ_ERR_SUCCESS) {
		LOG_ERR("cluster: cannot set the Last Will: %s", mosquitto_strerror(rc));
		return -1;
	}
	if (c->username[0]) {
		char pw[256] = "";
		if (c->password_file[0] && read_password(c->password_file, pw, sizeof(pw))) {
			LOG_ERR("cluster: cannot read password_file %s: %s", c->password_file,
				strerror(errno));
			return -1;
		}
		rc = mosquitto_username_pw_set(cl->mosq, c->username, c->password_file[0] ? pw : NULL);
		memset(pw, 0, sizeof(pw));
		if (rc != MOSQ_ERR_SUCCESS)
			return -1;
	}
	if (c->tls && (rc = mosquitto_tls_set(cl->mosq, c->ca_file, NULL, NULL, NULL, NULL))) {
		LOG_ERR("cluster: TLS with ca_file %s: %s", c->ca_file, mosquitto_strerror(rc));
		return -1;
	}
	LOG_NOTICE("cluster: node %s of rig %s, broker %s%s%s", c->node, c->rig, c->broker,
		   c->username[0] ? ", user " : "", c->username);
	/* a broker that is down now is not an error: once connecting, the
	 * network thread retries with back-off */
	rc = mosquitto_connect_async(cl->mosq, c->host, c->port, CL_KEEPALIVE_S);
	cl->retry_s = CL_RECONNECT_MIN_S;
	return link_started(cl, rc);
}

/* After a connect call: start the network thread, or, when the connect
 * failed at once (nothing listens on a local port), have the loop call
 * again later (cl_link_retry). libmosquitto's thread does not retry a
 * first connection that never got under way: a node started while the
 * broker was down would stay cut off. */
static int link_started(struct cluster *cl, int rc)
{
	if (rc != MOSQ_ERR_SUCCESS) {
		post_text(cl, CLP_DISCONNECTED, rc, "cannot reach the broker %s: %s", cl->cfg.broker,
			  rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
		cl->retry_ns = mono_ns() + (int64_t)cl->retry_s * 1000000000;
		cl->retry_s = cl->retry_s * 2 > CL_RECONNECT_MAX_S ? CL_RECONNECT_MAX_S : cl->retry_s * 2;
		return 0;
	}
	cl->retry_ns = 0;
	if ((rc = mosquitto_loop_start(cl->mosq)) != MOSQ_ERR_SUCCESS) {
		LOG_ERR("cluster: cannot start the network thread: %s", mosquitto_strerror(rc));
		return -1;
	}
	cl->started = 1;
	return 0;
}

void cl_link_retry(struct cluster *cl)
{
	if (!cl->mosq || cl->started || !cl->retry_ns || mono_ns() < cl->retry_ns)
		return;
	if (link_started(cl, mosquitto_reconnect_async(cl->mosq)))
		cl->retry_ns = 0; /* the thread cannot start: logged, and no use trying again */
}

void cl_link_close(struct cluster *cl)
{
	if (!cl->mosq)
		return;
	if (cl->started) {
		if (cl->connected) {
			/* a clean stop says offline itself: the Will is for vanishing */
			struct pr_cl_msg *m = calloc(1, sizeof(*m));
			if (m) {
				pr_cl_msg_init(m, PR_CL_STATE, cl->cfg.rig, cl->cfg.node);
				m->sent_ns = cl_realtime_ns();
				cl_publish(cl, m, NULL, 1);
				free(m);
			}
		}
		mosquitto_disconnect(cl->mosq);
		mosquitto_loop_stop(cl->mosq, false);
		cl->started = 0;
	}
	mosquitto_destroy(cl->mosq);
	cl->mosq = NULL;
	mosquitto_lib_cleanup();
}

int cl_publish_raw(struct cluster *cl, const char *what, const char *node, const char *payload,
		   size_t len, int retain)
{
	char topic[PR_CL_TOPIC_MAX];
	if (!cl->connected || pr_cl_topic(topic, sizeof(topic), cl->cfg.rig, what, node))
		return -1;
	int rc = mosquitto_publish(cl->mosq, NULL, topic, (int)len, payload, 1, retain);
	if (rc != MOSQ_ERR_SUCCESS) {
		LOG_RATELIMITED(PR_LOG_WARNING, "cluster: cannot publish on %s: %s", topic,
				mosquitto_strerror(rc));
		return -1;
	}
	return 0;
}

int cl_publish(struct cluster *cl, const struct pr_cl_msg *m, const char *node, int retain)
{
	char *payload = NULL;
	size_t len = 0;
	struct pr_error err = { 0 };
	if (pr_cl_encode(m, &payload, &len, &err)) {
		LOG_ERR("cluster: cannot encode a %s message: %s", pr_cl_kind_name(m->kind), err.msg);
		return -1;
	}
	int rc = cl_publish_raw(cl, pr_cl_kind_name(m->kind), node ? node : m->from, payload, len,
				retain);
	free(payload);
	return rc;
}
