/*
 * xlsx_zip.c — the untrusted-input layer of the XLSX backend: zip entries
 * inflated with limits, expat parsers that refuse DTDs, and telling an
 * encrypted workbook from an Excel 97-2003 file (both are OLE2 files).
 *
 * Nothing here trusts the sizes a zip header claims: the bytes actually
 * inflated are counted, per entry and in all, while inflating, so that a
 * zip bomb is stopped after a few megabytes whatever its headers say.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "xlsxInt.h"

/* --- OLE2 ------------------------------------------------------------------ */

/* "EncryptedPackage" as UTF-16LE: the stream of an encrypted OOXML file. */
static const char encrypted_name[] = "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0";

static int has_encrypted_name(const unsigned char *p, size_t n) {
    return memmem(p, n, encrypted_name, sizeof encrypted_name - 1) != NULL;
}

/* See readerInt.h. */
int li__ole2_is_encrypted_ooxml(int fd, const unsigned char *sample, size_t n) {
    if (has_encrypted_name(sample, n))
        return 1;
    if (n < 0x34)
        return 0;
    /* the first directory sector, if the sample did not reach it */
    unsigned shift = (unsigned)sample[0x1E] | (unsigned)sample[0x1F] << 8;
    uint32_t dir = (uint32_t)sample[0x30] | (uint32_t)sample[0x31] << 8 |
                   (uint32_t)sample[0x32] << 16 | (uint32_t)sample[0x33] << 24;
    if ((shift != 9 && shift != 12) || dir >= 0xFFFFFFFAu)
        return 0;
    size_t ssz = (size_t)1 << shift;
    uint64_t off = ((uint64_t)dir + 1) << shift;
    unsigned char sect[4096];
    ssize_t k = pread(fd, sect, ssz, (off_t)off);
    return k > 0 && has_encrypted_name(sect, (size_t)k);
}

/* --- archive --------------------------------------------------------------- */

static int unsafe_name(const char *name) {
    if (name[0] == '/' || name[0] == '\\' || (name[0] && name[1] == ':'))
        return 1;
    const char *s = name;
    for (;;) {
        size_t len = strcspn(s, "/\\");
        if (len == 2 && s[0] == '.' && s[1] == '.')
            return 1;
        if (!s[len])
            return 0;
        s += len + 1;
    }
}

static int name_cmp(const void *a, const void *b) {
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Two entries of one name (part names compare without case): a reader
 * takes one, another reader the other, and what is imported is not what
 * Excel shows. Sorting the names finds them. LI_OK, or LI_EFORMAT /
 * LI_ENOMEM with err set.
 */
static li_status repeated_names(li__zip *z, zip_int64_t n, li_error *err) {
    if (n < 2)
        return LI_OK;
    const char **v = malloc((size_t)n * sizeof *v);
    if (!v)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    size_t k = 0;
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(z->z, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
        if (name)
            v[k++] = name;
    }
    qsort(v, k, sizeof *v, name_cmp);
    li_status rc = LI_OK;
    for (size_t i = 1; i < k && rc == LI_OK; i++)
        if (strcasecmp(v[i - 1], v[i]) == 0) {
            char why[300];
            snprintf(why, sizeof why, "deux éléments du même nom (« %.200s ») dans son archive zip",
                     v[i]);
            rc = li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_UNSAFE, z->r->path, why);
        }
    free(v);
    return rc;
}

li_status li__zip_open(li__zip *z, li_reader *r, li_error *err) {
    int ze = 0;
    z->r = r;
    z->inflated = 0;
    if (pthread_mutex_init(&z->lock, NULL) != 0)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    z->locking = 1;
    /* The reader's own open file, not its path: the bytes checked at open
     * (li_reader_opts.expect) are the bytes read, even if the path is
     * replaced meanwhile. zip_fdopen closes fd on success only. */
    int fd = dup(r->fd);
    z->z = fd >= 0 ? zip_fdopen(fd, ZIP_RDONLY, &ze) : NULL;
    if (!z->z && fd < 0)
        ze = ZIP_ER_OPEN;
    else if (!z->z)
        close(fd);
    if (!z->z) {
        switch (ze) {
        case ZIP_ER_MEMORY:
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        case ZIP_ER_OPEN:
        case ZIP_ER_READ:
        case ZIP_ER_SEEK:
            return li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, r->path, li_msg_errno(errno));
        case ZIP_ER_NOZIP:
            return li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_CORRUPT, r->path,
                                "ce n'est pas une archive zip complète, le fichier est peut-être "
                                "tronqué");
        default:
            return li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_CORRUPT, r->path,
                                "archive zip incohérente ou tronquée");
        }
    }
    zip_int64_t n = zip_get_num_entries(z->z, 0);
    if (n > LI__XLSX_MAX_ENTRIES)
        return li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_UNSAFE, r->path,
                            "un nombre anormal d'éléments dans l'archive zip");
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(z->z, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
        if (name && unsafe_name(name)) {
            char why[300];
            snprintf(why, sizeof why, "un élément au chemin dangereux (« %.200s »)", name);
            return li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_UNSAFE, r->path, why);
        }
    }
    return repeated_names(z, n, err);
}

void li__zip_close(li__zip *z) {
    if (z && z->z)
        zip_discard(z->z);
    if (z && z->locking)
        pthread_mutex_destroy(&z->lock);
    if (z) {
        z->z = NULL;
        z->locking = 0;
    }
}

int li__zip_has(li__zip *z, const char *name) {
    pthread_mutex_lock(&z->lock);
    int has = zip_name_locate(z->z, name, ZIP_FL_NOCASE | ZIP_FL_ENC_RAW) >= 0;
    pthread_mutex_unlock(&z->lock);
    return has;
}

static li_status zip_failure(li__zip *z, const char *part, int ze, li_error *err) {
    char why[400];
    const char *path = z->r->path;
    switch (ze) {
    case ZIP_ER_MEMORY:
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    case ZIP_ER_NOPASSWD:
    case ZIP_ER_WRONGPASSWD:
    case ZIP_ER_ENCRNOTSUPP:
        return li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_ENCRYPTED, path);
    case ZIP_ER_READ:
    case ZIP_ER_SEEK:
        return li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, path, li_msg_errno(errno));
    case ZIP_ER_COMPNOTSUPP:
        snprintf(why, sizeof why, "« %.200s » est compressé d'une manière non prise en charge",
                 part);
        break;
    case ZIP_ER_CRC:
        snprintf(why, sizeof why, "les données de « %.200s » sont abîmées (CRC)", part);
        break;
    default:
        snprintf(why, sizeof why, "« %.200s » est illisible, l'archive est peut-être tronquée",
                 part);
        break;
    }
    return li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_CORRUPT, path, why);
}

static li_status part_open(li__zip *z, const char *name, uint64_t max, li__zip_part **out,
                           li_error *err) {
    *out = NULL;
    zip_int64_t idx = zip_name_locate(z->z, name, ZIP_FL_NOCASE | ZIP_FL_ENC_RAW);
    if (idx < 0)
        return LI_ENOTFOUND;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z->z, (zip_uint64_t)idx, 0, &st) != 0)
        return zip_failure(z, name, zip_error_code_zip(zip_get_error(z->z)), err);
    li__zip_part *p = calloc(1, sizeof *p);
    if (!p)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    p->zip = z;
    snprintf(p->name, sizeof p->name, "%s", name);
    p->comp = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : z->r->info.size;
    if (p->comp > z->r->info.size)
        p->comp = z->r->info.size;
    p->size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
    p->max = max;
    p->f = zip_fopen_index(z->z, (zip_uint64_t)idx, 0);
    if (!p->f) {
        li_status rc = zip_failure(z, name, zip_error_code_zip(zip_get_error(z->z)), err);
        free(p);
        return rc;
    }
    *out = p;
    return LI_OK;
}

static void human(uint64_t n, char out[32]) {
    if (n >= (1u << 30))
        snprintf(out, 32, "%llu Gio", (unsigned long long)(n >> 30));
    else
        snprintf(out, 32, "%llu Mio", (unsigned long long)(n >> 20));
}

li_status li__zip_part_open(li__zip *z, const char *name, uint64_t max, li__zip_part **out,
                            li_error *err) {
    pthread_mutex_lock(&z->lock);
    li_status rc = part_open(z, name, max, out, err);
    pthread_mutex_unlock(&z->lock);
    return rc;
}

static li_status part_read(li__zip_part *p, void *buf, size_t n, size_t *got, li_error *err) {
    *got = 0;
    zip_int64_t k = zip_fread(p->f, buf, n);
    if (k < 0)
        return zip_failure(p->zip, p->name, zip_error_code_zip(zip_file_get_error(p->f)), err);
    p->got += (uint64_t)k;
    p->zip->inflated += (uint64_t)k;
    char why[400], lim[32];
    const char *path = p->zip->r->path;
    if (p->zip->inflated > p->zip->r->max_inflated) {
        human(p->zip->r->max_inflated, lim);
        snprintf(why, sizeof why, "plus de %s en tout", lim);
        return li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_INFLATE_LIMIT, path, why);
    }
    if (p->got > p->max) {
        human(p->max, lim);
        snprintf(why, sizeof why, "« %.200s » dépasse %s", p->name, lim);
        return li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_INFLATE_LIMIT, path, why);
    }
    if (p->got > LI__XLSX_RATIO_GRACE && p->got / LI__XLSX_MAX_RATIO > p->comp) {
        snprintf(why, sizeof why, "« %.200s » se décompresse à plus de %u fois sa taille", p->name,
                 LI__XLSX_MAX_RATIO);
        return li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_INFLATE_LIMIT, path, why);
    }
    *got = (size_t)k;
    return LI_OK;
}

li_status li__zip_part_read(li__zip_part *p, void *buf, size_t n, size_t *got, li_error *err) {
    pthread_mutex_lock(&p->zip->lock);
    li_status rc = part_read(p, buf, n, got, err);
    pthread_mutex_unlock(&p->zip->lock);
    return rc;
}

void li__zip_part_close(li__zip_part *p) {
    if (!p)
        return;
    pthread_mutex_lock(&p->zip->lock);
    if (p->f)
        zip_fclose(p->f);
    pthread_mutex_unlock(&p->zip->lock);
    free(p);
}

/* --- inflating ahead ------------------------------------------------------ */

struct li__zip_ahead {
    li__zip_part *part;
    pthread_t thread;
    int started;
    int direct; /* no thread could be made: read in the caller's, as before */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct {
        char *data;
        size_t len; /* 0: the end of the entry */
    } blk[LI__AHEAD_BLOCKS];
    size_t head, count; /* the ring: count full blocks from head */
    size_t off;         /* bytes of the head block already handed out */
    int done;           /* the thread ended: end of entry (an empty block) or rc */
    int stop;           /* the caller wants no more */
    li_status rc;
    li_error err;
};

static void *ahead_main(void *arg) {
    li__zip_ahead *a = arg;
    pthread_mutex_lock(&a->mu);
    while (!a->stop) {
        while (a->count == LI__AHEAD_BLOCKS && !a->stop)
            pthread_cond_wait(&a->cv, &a->mu);
        if (a->stop)
            break;
        size_t i = (a->head + a->count) % LI__AHEAD_BLOCKS;
        pthread_mutex_unlock(&a->mu);
        size_t got = 0;
        li_error e;
        li_status rc = li__zip_part_read(a->part, a->blk[i].data, LI__XLSX_BLOCK, &got, &e);
        pthread_mutex_lock(&a->mu);
        if (rc != LI_OK) {
            a->rc = rc;
            a->err = e;
            a->done = 1;
        } else {
            a->blk[i].len = got;
            a->count++;
            a->done = got == 0;
        }
        pthread_cond_broadcast(&a->cv);
        if (a->done)
            break;
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

li_status li__zip_ahead_start(li__zip_part *p, li__zip_ahead **out, li_error *err) {
    *out = NULL;
    li__zip_ahead *a = calloc(1, sizeof *a);
    if (!a)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    a->part = p;
    int ok = pthread_mutex_init(&a->mu, NULL) == 0;
    if (ok && pthread_cond_init(&a->cv, NULL) != 0) {
        pthread_mutex_destroy(&a->mu);
        ok = 0;
    }
    if (!ok) {
        free(a);
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    for (size_t i = 0; i < LI__AHEAD_BLOCKS; i++)
        if (!(a->blk[i].data = malloc(LI__XLSX_BLOCK))) {
            li__zip_ahead_stop(a);
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        }
    /* A process out of threads (a container's limit) still reads: in the caller's thread. */
    if (pthread_create(&a->thread, NULL, ahead_main, a) != 0) {
        a->direct = 1;
    } else {
        a->started = 1;
        (void)pthread_setname_np(a->thread, "li-inflate");
    }
    *out = a;
    return LI_OK;
}

li_status li__zip_ahead_read(li__zip_ahead *a, void *buf, size_t n, size_t *got, li_error *err) {
    if (a->direct)
        return li__zip_part_read(a->part, buf, n, got, err);
    *got = 0;
    pthread_mutex_lock(&a->mu);
    while (a->count == 0 && !a->done)
        pthread_cond_wait(&a->cv, &a->mu);
    li_status rc = LI_OK;
    if (a->count == 0) { /* only an error ends the thread without a block */
        rc = a->rc;
        if (err)
            *err = a->err;
    } else if (a->blk[a->head].len > 0) { /* an empty block is the end: it stays */
        size_t left = a->blk[a->head].len - a->off, k = n < left ? n : left;
        memcpy(buf, a->blk[a->head].data + a->off, k);
        *got = k;
        a->off += k;
        if (a->off == a->blk[a->head].len) {
            a->off = 0;
            a->head = (a->head + 1) % LI__AHEAD_BLOCKS;
            a->count--;
            pthread_cond_broadcast(&a->cv);
        }
    }
    pthread_mutex_unlock(&a->mu);
    return rc;
}

void li__zip_ahead_stop(li__zip_ahead *a) {
    if (!a)
        return;
    if (a->started) {
        pthread_mutex_lock(&a->mu);
        a->stop = 1;
        pthread_cond_broadcast(&a->cv);
        pthread_mutex_unlock(&a->mu);
        pthread_join(a->thread, NULL);
    }
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    for (size_t i = 0; i < LI__AHEAD_BLOCKS; i++)
        free(a->blk[i].data);
    free(a);
}

/* --- XML ------------------------------------------------------------------- */

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int internal) {
    (void)name, (void)sysid, (void)pubid, (void)internal;
    li__xml *x = ud;
    x->refused = 1;
    XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
                              int value_len, const XML_Char *base, const XML_Char *sysid,
                              const XML_Char *pubid, const XML_Char *notation) {
    (void)name, (void)is_param, (void)value, (void)value_len, (void)base, (void)sysid;
    (void)pubid, (void)notation;
    li__xml *x = ud;
    x->refused = 1;
    XML_StopParser(x->p, XML_FALSE);
}

static int XMLCALL on_external(XML_Parser p, const XML_Char *context, const XML_Char *base,
                               const XML_Char *sysid, const XML_Char *pubid) {
    (void)p, (void)context, (void)base, (void)sysid, (void)pubid;
    return XML_STATUS_ERROR; /* never loaded */
}

static li_status xml_init(li__xml *x, void *ctx, const char *part, int ns, li_error *err) {
    x->p = ns ? XML_ParserCreateNS(NULL, LI__XML_NS_SEP) : XML_ParserCreate(NULL);
    x->part = part;
    x->refused = 0;
    x->rc = LI_OK;
    x->err = err;
    if (!x->p)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    XML_SetUserData(x->p, ctx);
    XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
    XML_SetEntityDeclHandler(x->p, on_entity);
    XML_SetExternalEntityRefHandler(x->p, on_external);
    XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);
    return LI_OK;
}

li_status li__xml_init(li__xml *x, void *ctx, const char *part, li_error *err) {
    return xml_init(x, ctx, part, 0, err);
}

li_status li__xml_init_ns(li__xml *x, void *ctx, const char *part, li_error *err) {
    return xml_init(x, ctx, part, 1, err);
}

void li__xml_free(li__xml *x) {
    if (x && x->p)
        XML_ParserFree(x->p);
    if (x)
        x->p = NULL;
}

void li__xml_abort(li__xml *x, li_status rc) {
    if (rc == LI_ENOMEM)
        li_error_set(x->err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    x->rc = rc;
    XML_StopParser(x->p, XML_FALSE);
}

/* expat's messages are English: what a user reads is French. */
static const char *xml_error_fr(enum XML_Error e) {
    switch (e) {
    case XML_ERROR_NO_MEMORY:
        return "mémoire insuffisante";
    case XML_ERROR_SYNTAX:
        return "erreur de syntaxe";
    case XML_ERROR_NO_ELEMENTS:
        return "aucun élément";
    case XML_ERROR_INVALID_TOKEN:
        return "caractère ou balise invalide";
    case XML_ERROR_UNCLOSED_TOKEN:
        return "balise non refermée";
    case XML_ERROR_PARTIAL_CHAR:
        return "caractère incomplet";
    case XML_ERROR_TAG_MISMATCH:
        return "balise fermante qui ne correspond pas";
    case XML_ERROR_DUPLICATE_ATTRIBUTE:
        return "attribut répété";
    case XML_ERROR_JUNK_AFTER_DOC_ELEMENT:
        return "données après la fin du document";
    case XML_ERROR_UNDEFINED_ENTITY:
        return "entité inconnue";
    case XML_ERROR_BAD_CHAR_REF:
        return "référence de caractère invalide";
    case XML_ERROR_UNKNOWN_ENCODING:
    case XML_ERROR_INCORRECT_ENCODING:
        return "encodage inconnu ou incorrect";
    case XML_ERROR_UNCLOSED_CDATA_SECTION:
        return "section CDATA non refermée";
    case XML_ERROR_UNBOUND_PREFIX:
        return "préfixe d'espace de noms non déclaré";
    case XML_ERROR_XML_DECL:
    case XML_ERROR_MISPLACED_XML_PI:
        return "déclaration XML mal placée ou mal formée";
    default:
        return "document XML invalide";
    }
}

li_status li__xml_error(li__xml *x, li_reader *r, li_error *err) {
    char why[400];
    if (x->rc != LI_OK)
        return x->rc;
    if (x->refused) {
        snprintf(why, sizeof why, "une déclaration DTD ou d'entités XML (dans « %.200s »)",
                 x->part);
        return li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_UNSAFE, r->path, why);
    }
    snprintf(why, sizeof why, "XML mal formé dans « %.200s », ligne %lu : %s", x->part,
             (unsigned long)XML_GetCurrentLineNumber(x->p), xml_error_fr(XML_GetErrorCode(x->p)));
    return li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_CORRUPT, r->path, why);
}

li_status li__xml_parse_part(li__xml *x, li__zip *z, const char *name, uint64_t max,
                             li_error *err) {
    li__zip_part *p = NULL;
    li_status rc = li__zip_part_open(z, name, max, &p, err);
    if (rc != LI_OK)
        return rc;
    for (;;) {
        void *buf = XML_GetBuffer(x->p, LI__XLSX_BLOCK);
        size_t got;
        if (!buf) {
            rc = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
            break;
        }
        if ((rc = li__zip_part_read(p, buf, LI__XLSX_BLOCK, &got, err)) != LI_OK)
            break;
        if (XML_ParseBuffer(x->p, (int)got, got == 0) != XML_STATUS_OK) {
            rc = li__xml_error(x, z->r, err);
            break;
        }
        if (got == 0)
            break;
    }
    li__zip_part_close(p);
    return rc;
}
