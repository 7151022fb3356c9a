/*
 * cmd_users.c — `leadimport users add|list|disable|enable|passwd`: the accounts of
 * the admins (who import) and the sales reps (who own leads). The rules
 * (valid e-mail, roles, password length, hashing) are the core's (users.h);
 * this file reads the arguments and the password, and prints.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "leadimport/store.h"
#include "leadimport/users.h"

static const char users_help[] =
    "Utilisation : leadimport users COMMANDE [options]\n"
    "\n"
    "Les comptes des utilisateurs :\n"
    "  add EMAIL --name NOM --role admin|commercial [--password-stdin]\n"
    "                           crée un compte ; « admin » importe les fichiers et gère\n"
    "                           les comptes, « commercial » reçoit des leads\n"
    "  list [--json]            tous les comptes, actifs ou non, par e-mail\n"
    "  disable EMAIL            désactive un compte : il ne peut plus se connecter ni\n"
    "                           recevoir de leads (ses leads restent à son nom)\n"
    "  enable EMAIL             réactive un compte désactivé\n"
    "  passwd EMAIL             donne un nouveau mot de passe, lu sur une ligne de l'entrée\n"
    "                           standard (même règle que --password-stdin) ; les sessions\n"
    "                           ouvertes du compte sur le serveur HTTP sont fermées\n"
    "\n"
    "Options :\n"
    "  --name NOM         nom affiché (et reconnu par --assign column:)\n"
    "  --role ROLE        admin ou commercial\n"
    "  --password-stdin   lit le mot de passe sur une ligne de l'entrée standard, sans\n"
    "                     l'afficher : 12 caractères au moins, ni mot du dictionnaire\n"
    "                     ni mot de passe courant, sans l'e-mail ni le nom du compte\n"
    "                     (une phrase de passe de plusieurs mots convient) ; sans cette\n"
    "                     option le compte n'a pas de mot de passe et ne peut pas se\n"
    "                     connecter\n"
    "  --json             list : un tableau JSON\n"
    "  --db URL           base de données\n"
    "\n"
    "Le mot de passe est chiffré avec Argon2id ; il n'est enregistré nulle part en clair.\n"
    "Codes de sortie : 0 fait, 2 erreur d'utilisation (e-mail, rôle, mot de passe\n"
    "refusé, compte existant ou inconnu, base inexistante sauf pour add), 1 erreur\n"
    "interne.\n";

/*
 * Reads one line of stdin into pw (cap bytes), without its line ending,
 * with the terminal's echo off when stdin is one; *len gets its length in
 * bytes, NUL bytes included (the policy refuses them: li_password_check).
 * Returns 0 on success, else the exit code of the usage error already
 * printed.
 */
static int read_password(char *pw, size_t cap, size_t *len) {
    struct termios saved, quiet;
    int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    if (tty) {
        fputs("Mot de passe : ", stderr);
        fflush(stderr);
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    /* Byte by byte, not fgets: a NUL inside must be seen, not end the string. */
    size_t n = 0;
    int c = EOF, newline = 0;
    while (n + 1 < cap && (c = getc(stdin)) != EOF && !(newline = c == '\n'))
        pw[n++] = (char)c;
    pw[n] = '\0';
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        fputc('\n', stderr);
    }
    if (n == 0 && c == EOF)
        return li_cli_usage_error(LI_MSG_PASSWORD_MISSING);
    if (n + 1 == cap && !newline) /* past the limit (and its line ending): refuse, don't cut */
        return li_cli_usage_error(LI_MSG_PASSWORD_TOO_LONG, LI_PASSWORD_MAX_BYTES);
    if (n > 0 && pw[n - 1] == '\r')
        pw[--n] = '\0';
    *len = n;
    return 0;
}

/* Prints s (escaped) left-aligned in width columns (characters, not bytes). */
static void print_cell(const char *s, size_t width) {
    li_cli_print_padded(s, (int)width);
}

typedef struct list_ctx {
    json_t *array; /* --json: the array being built; NULL for the table */
    size_t n;
} list_ctx;

static li_status list_one(const li_user *u, void *ctx) {
    list_ctx *lc = ctx;
    if (lc->array) {
        json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:b,s:b,s:s}", "id", (json_int_t)u->id, "email",
                              u->email, "name", u->name, "role", u->role, "active", u->active,
                              "has_password", u->has_password, "created_at", u->created_at);
        if (!o || json_array_append_new(lc->array, o) != 0)
            return LI_ENOMEM;
    } else {
        if (lc->n == 0) {
            print_cell("E-mail", 32);
            print_cell(" Nom", 28);
            print_cell(" Rôle", 12);
            print_cell(" Actif", 7);
            puts(" Créé le");
        }
        char when[32];
        snprintf(when, sizeof when, "%.16s", u->created_at);
        char *t = strchr(when, 'T');
        if (t)
            *t = ' ';
        print_cell(u->email, 32);
        putchar(' ');
        print_cell(u->name, 27);
        putchar(' ');
        print_cell(u->role, 11);
        putchar(' ');
        print_cell(u->active ? "oui" : "non", 6);
        printf(" %s\n", when);
    }
    lc->n++;
    return LI_OK;
}

static li_status list(li_store *s, int json, li_error *err) {
    list_ctx lc = {json ? json_array() : NULL, 0};
    li_status st = LI_OK;
    if (json && !lc.array) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    if ((st = li_users_each(s, list_one, &lc, err)) != LI_OK) {
        if (st == LI_ENOMEM)
            li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    if (json) {
        char *text = json_dumps(lc.array, JSON_PRESERVE_ORDER);
        if (!text) {
            st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
            goto out;
        }
        puts(text);
        free(text);
    } else if (lc.n == 0) {
        char text[256];
        li_msg_format(text, sizeof text, LI_MSG_USER_NONE);
        puts(text);
    }
out:
    json_decref(lc.array);
    return st;
}

int li_cli_users(int argc, char **argv) {
    static const char *const with_value[] = {"--db", "--name", "--role", NULL};
    const char *db = NULL, *words[2] = {NULL, NULL}, *value, *name = NULL, *role = NULL;
    size_t nwords = 0;
    int json = 0, password_stdin = 0, rc = LI_EXIT_OK;
    char password[LI_PASSWORD_MAX_BYTES + 3]; /* the limit, "\r\n" and the NUL */
    password[0] = '\0';
    li_store *s = NULL;
    li_status st = LI_OK;
    li_error err;
    li_error_clear(&err);
    li_cli_args a;
    li_cli_args_init(&a, argc, argv);
    for (;;) {
        int status;
        const char *opt = li_cli_next(&a, with_value, &value, &status);
        if (status) {
            rc = status;
            goto out;
        }
        if (opt && !*opt)
            break;
        if (!opt) {
            if (nwords == 2) {
                rc = li_cli_usage_error(LI_MSG_USAGE_EXTRA_ARGUMENT, value);
                goto out;
            }
            words[nwords++] = value;
        } else if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            fputs(users_help, stdout);
            goto out;
        } else if (strcmp(opt, "--db") == 0) {
            db = value;
        } else if (strcmp(opt, "--name") == 0) {
            name = value;
        } else if (strcmp(opt, "--role") == 0) {
            role = value;
        } else if (strcmp(opt, "--password-stdin") == 0) {
            password_stdin = 1;
        } else if (strcmp(opt, "--json") == 0) {
            json = 1;
        } else {
            rc = li_cli_usage_error(LI_MSG_USAGE_UNKNOWN_OPTION, opt, "users");
            goto out;
        }
    }
    const char *cmd = words[0] ? words[0] : "";
    int is_list = strcmp(cmd, "list") == 0, is_passwd = strcmp(cmd, "passwd") == 0;
    if (!is_list && !is_passwd && strcmp(cmd, "add") != 0 && strcmp(cmd, "disable") != 0 &&
        strcmp(cmd, "enable") != 0) {
        if (*cmd)
            li_cli_usage_error(LI_MSG_USAGE_UNKNOWN_COMMAND, cmd);
        fputs(users_help, stderr);
        rc = LI_EXIT_USAGE;
        goto out;
    }
    if (is_list && nwords > 1) {
        rc = li_cli_usage_error(LI_MSG_USAGE_EXTRA_ARGUMENT, words[1]);
        goto out;
    }
    if (!is_list && nwords < 2) {
        rc = li_cli_usage_error(LI_MSG_USER_EMAIL_MISSING, cmd);
        goto out;
    }
    /* The password before the database: a usage error leaves nothing open.
     * Checked here with its length (a NUL inside is refused, not cut),
     * and again by li_users_add. */
    size_t password_len = 0;
    if (strcmp(cmd, "add") == 0 && password_stdin) {
        if ((rc = read_password(password, sizeof password, &password_len)) != 0)
            goto out;
        if ((st = li_password_check(password, password_len, words[1], name, &err)) != LI_OK)
            goto fail;
    } else if (is_passwd) { /* always from stdin: never on the command line, where ps shows it */
        if ((rc = read_password(password, sizeof password, &password_len)) != 0)
            goto out;
    }
    /* Only add creates a database (the first admin of a new one). */
    if ((st = strcmp(cmd, "add") == 0
                  ? li_store_open(li_cli_db_url(db), &s, &err)
                  : li_store_open_existing(li_cli_db_url(db), &s, &err)) != LI_OK)
        goto fail;
    if (is_list) {
        st = list(s, json, &err);
    } else if (is_passwd) {
        st = li_users_set_password(s, words[1], password, password_len, &err);
        if (st == LI_OK) {
            li_user u;
            int found = 0;
            char text[LI_ERROR_MAX];
            st = li_users_find(s, words[1], &u, &found, &err);
            li_msg_format(text, sizeof text, LI_MSG_USER_PASSWORD_SET, found ? u.email : words[1]);
            if (st == LI_OK)
                li_cli_puts(text);
        }
    } else if (strcmp(cmd, "add") == 0) {
        li_user u;
        st = li_users_add(s, words[1], name, role, password_stdin ? password : NULL, &u, &err);
        if (st == LI_OK) {
            char text[LI_ERROR_MAX];
            if (u.has_password)
                li_msg_format(text, sizeof text, LI_MSG_USER_ADDED, u.name, u.email, u.role);
            else
                li_msg_format(text, sizeof text, LI_MSG_USER_ADDED_NO_PASSWORD, u.name, u.email,
                              u.role);
            li_cli_puts(text);
        }
    } else {
        int active = strcmp(cmd, "enable") == 0;
        st = li_users_set_active(s, words[1], active, &err);
        if (st == LI_OK) {
            li_user u;
            int found = 0;
            char text[LI_ERROR_MAX];
            st = li_users_find(s, words[1], &u, &found, &err);
            const char *who = found ? u.email : words[1];
            if (active)
                li_msg_format(text, sizeof text, LI_MSG_USER_REACTIVATED, who);
            else
                li_msg_format(text, sizeof text, LI_MSG_USER_DEACTIVATED, who);
            if (st == LI_OK)
                li_cli_puts(text);
        }
    }
    if (st == LI_OK)
        goto out;
fail:
    li_cli_print_error(&err);
    rc = li_cli_exit_code(st);
out:
    explicit_bzero(password, sizeof password); /* not left in memory after the hash */
    li_store_close(s);
    return rc;
}
