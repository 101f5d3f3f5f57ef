/* SPDX-License-Identifier: MIT */
/*
 * Bounds on a profile's YAML before libyaml loads it (see load.h).
 *
 * libyaml 0.2.5 checks every open flow collection's possible simple key
 * on every token, so its scanner is O(tokens x flow depth): 100,000
 * nested '[' took 20-28 s of CPU, and a 1 MiB profile about 30 minutes.
 * Its loader registers anchors in a list searched once per anchor
 * (80,000 anchors: 8.4 s).  A first pass reads the file as tokens only,
 * and stops at the first token beyond a bound: the scanner then never
 * holds more than YAML_MAX_FLOW_DEPTH open collections (plus the few
 * tokens of look-ahead a possible simple key allows), so the pass is
 * linear, and the loader never sees a document over the bounds.
 */
#include "core/compat.h"
#include "profiles/load.h"
#include "core/err.h"

int yaml_check_bounds(struct loader *ld)
{
    yaml_parser_t parser;
    yaml_token_t tok;
    int depth = 0, anchors = 0, ret = 0;
    bool end = false;

    if (!yaml_parser_initialize(&parser)) {
        return 0; /* the load reports it */
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)ld->text,
                                 ld->len);
    while (!end && ret == 0) {
        struct fpos pos;

        /* a syntax error is the load's to report, with its hints */
        if (!yaml_parser_scan(&parser, &tok)) {
            break;
        }
        pos.line = (int)tok.start_mark.line + 1;
        pos.col = (int)tok.start_mark.column + 1;
        pos.set = true;
        switch (tok.type) {
        case YAML_FLOW_SEQUENCE_START_TOKEN:
        case YAML_FLOW_MAPPING_START_TOKEN:
            if (++depth > YAML_MAX_FLOW_DEPTH) {
                ret = ld_error_at(ld, &pos, "'[' and '{' nested deeper than %d",
                                  YAML_MAX_FLOW_DEPTH);
            }
            break;
        case YAML_FLOW_SEQUENCE_END_TOKEN:
        case YAML_FLOW_MAPPING_END_TOKEN:
            depth -= depth > 0;
            break;
        case YAML_ANCHOR_TOKEN:
            if (++anchors > YAML_MAX_ANCHORS) {
                ret = ld_error_at(ld, &pos, "more than %d anchors ('&name')",
                                  YAML_MAX_ANCHORS);
            }
            break;
        case YAML_STREAM_END_TOKEN:
            end = true;
            break;
        default:
            break;
        }
        yaml_token_delete(&tok);
    }
    yaml_parser_delete(&parser);
    return ret;
}

int ld_parser_start(struct loader *ld, yaml_parser_t *parser)
{
    if (yaml_check_bounds(ld) < 0) {
        return -1;
    }
    if (!yaml_parser_initialize(parser)) {
        return err_set(ld->err, ERR_INTERNAL,
                       "cannot initialise the YAML parser");
    }
    yaml_parser_set_input_string(parser, (const unsigned char *)ld->text,
                                 ld->len);
    return 0;
}
