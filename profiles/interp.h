/* SPDX-License-Identifier: MIT */
/*
 * ${{ VAR }} references in profile values, resolved from the environment.
 *
 *   "${{ STRIPE_API_KEY }}"        the variable's value
 *   "${{KEY}}", "${{  KEY  }}"     spaces and tabs inside the braces are
 *                                  ignored
 *   "https://${{ HOST }}:${{ PORT }}"   several references, mixed with text
 *   "$${{ not a reference }}"      "$${{" is a literal "${{"
 *
 * A variable name is [A-Za-z_][A-Za-z0-9_]*.  An unset variable, an
 * invalid or empty name, and a "${{" without its "}}" are errors.  A
 * variable set to the empty string expands to "".
 */
#ifndef PROFILES_INTERP_H
#define PROFILES_INTERP_H

#include <stdbool.h>

struct err;

/*
 * Expand every reference in 's' into '*out' (the caller's, free() it).
 * 'what' names the value in messages, e.g. "'spec.auth.apiKey'".  On
 * error: -1, ERR_CONFIG, '*out' untouched, and a message such as
 * "'spec.auth.apiKey' uses environment variable 'KEY', which is not set"
 * that never contains a variable's value.
 */
int interp_expand(const char *s, const char *what, char **out, struct err *err);

/*
 * True when 's' is exactly one reference and nothing else (spaces around
 * it allowed): such a value holds no literal text of its own.
 */
bool interp_is_reference(const char *s);

#endif
