/*
 * mapping.h — which column of the file feeds which lead field.
 *
 * Built from the header row: each header is matched to a field by
 * li_field_by_header(); --map overrides win; a column that maps to no field
 * is kept as a custom field under its header name. When two columns match
 * the same field, the first wins and a warning says so.
 */
#ifndef LEADIMPORT_MAPPING_H
#define LEADIMPORT_MAPPING_H

#include "leadimport/error.h"
#include "leadimport/field.h"
#include "leadimport/slice.h"

typedef struct li_map_override {
    const char *field;  /* field key or a header synonym ("email", "Courriel") */
    const char *column; /* header text, or a 1-based column number "3" / "#3" */
} li_map_override;

typedef struct li_mapping {
    size_t ncols;
    li_field *col_field;              /* [ncols]: the field of each column, or LI_FIELD_NONE */
    char **col_name;                  /* [ncols]: header text (UTF-8, owned), "Colonne N" without header */
    int field_col[LI_FIELD__COUNT];   /* column feeding each field, or -1 */
    size_t nwarnings;
    char warnings[4][256];            /* French warnings (MAP_NO_CONTACT, MAP_DUPLICATE) */
} li_mapping;

/*
 * Builds the mapping for a file with ncols columns. header may be NULL (no
 * header row: columns are then named "Colonne 1"...). On success *out is
 * owned by the caller: free it with li_mapping_free(). Errors: LI_EUSAGE for
 * an override naming an unknown field or column.
 */
li_status li_mapping_new(const li_slice *header, size_t ncols, const li_map_override *ov,
                         size_t nov, li_mapping **out, li_error *err);

/*
 * A JSON object describing the mapping: {"Prénom":"first_name","Autre":null,...}.
 * Returned string is malloc'ed: the caller frees it with free().
 */
char *li_mapping_to_json(const li_mapping *m);

void li_mapping_free(li_mapping *m);

#endif
