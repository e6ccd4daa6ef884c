/* bounce_report.h - the "bounce" member of the JSON report (flow owns it). */
#ifndef MXAUDIT_BOUNCE_REPORT_H
#define MXAUDIT_BOUNCE_REPORT_H

#include "audit.h"

struct json_object;
/* The decoded bounce as JSON, or NULL (JSON null) when none was given. */
struct json_object *bounce_report_json(const struct audit *a);

#endif
