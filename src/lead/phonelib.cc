/*
 * phonelib.cc — the C shim over libphonenumber (C++), and the only C++ file
 * of leadimport. One function, li__phonelib_norm() (phonelib.h): parse,
 * check against the real numbering plans, format E.164, classify.
 *
 * PhoneNumberUtil::GetInstance() builds its metadata once (thread-safe
 * since C++11 statics) and its const methods are safe from any thread: the
 * parser runs in the import's producer thread. Nothing here throws into C:
 * every exception (std::bad_alloc) becomes PHONE_INVALID.
 */
#include "lead/phonelib.h"

#include <cstring>
#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

static li_phone_type type_of(PhoneNumberUtil::PhoneNumberType t) {
    switch (t) {
    case PhoneNumberUtil::MOBILE:
        return LI_PHONE_MOBILE;
    case PhoneNumberUtil::FIXED_LINE:
    case PhoneNumberUtil::VOIP: /* French 09: the line of an internet box */
        return LI_PHONE_FIXED;
    case PhoneNumberUtil::UNKNOWN:
        return LI_PHONE_UNKNOWN;
    default: /* fixed-or-mobile, toll-free, premium, shared cost, UAN... */
        return LI_PHONE_OTHER;
    }
}

extern "C" li_msg li__phonelib_norm(const char *in, size_t len, const char *region, char *out,
                                    size_t cap, li_phone_type *type, li__phonelib_num *parsed) {
    if (cap > 0)
        out[0] = '\0';
    *type = LI_PHONE_UNKNOWN;
    if (parsed) {
        parsed->cc = 0;
        parsed->nsn[0] = '\0';
        parsed->ext[0] = '\0';
    }
    try {
        const PhoneNumberUtil *u = PhoneNumberUtil::GetInstance();
        PhoneNumber num;
        if (u->Parse(std::string(in, len), region, &num) != PhoneNumberUtil::NO_PARSING_ERROR)
            return LI_MSG_PHONE_INVALID;
        if (parsed) {
            std::string nsn;
            u->GetNationalSignificantNumber(num, &nsn);
            if (nsn.size() < sizeof parsed->nsn) {
                parsed->cc = (unsigned)num.country_code();
                memcpy(parsed->nsn, nsn.c_str(), nsn.size() + 1);
            }
            if (num.has_extension() && num.extension().size() < sizeof parsed->ext)
                memcpy(parsed->ext, num.extension().c_str(), num.extension().size() + 1);
        }
        /*
         * IsValidNumber(num) is, in libphonenumber's source, exactly
         * GetNumberType(num) != UNKNOWN: both take the region of the number
         * (GetRegionCodeForNumber) and run GetNumberTypeHelper on it.
         * Calling both would pay the plan's regular expressions twice.
         */
        PhoneNumberUtil::PhoneNumberType t = u->GetNumberType(num);
        if (t == PhoneNumberUtil::UNKNOWN)
            return LI_MSG_PHONE_INVALID;
        std::string e164;
        u->Format(num, PhoneNumberUtil::E164, &e164);
        if (e164.size() >= cap)
            return LI_MSG_PHONE_INVALID;
        memcpy(out, e164.c_str(), e164.size() + 1);
        *type = type_of(t);
        return LI_MSG_NONE;
    } catch (...) {
        if (cap > 0)
            out[0] = '\0';
        *type = LI_PHONE_UNKNOWN;
        return LI_MSG_PHONE_INVALID;
    }
}

extern "C" int li__phonelib_region(const char *iso, unsigned *cc, char *trunk) {
    *cc = 0;
    *trunk = 0;
    try {
        const PhoneNumberUtil *u = PhoneNumberUtil::GetInstance();
        int code = u->GetCountryCodeForRegion(iso);
        if (code <= 0)
            return 0;
        std::string ndd;
        u->GetNddPrefixForRegion(iso, true, &ndd);
        *cc = (unsigned)code;
        *trunk = ndd.size() == 1 ? ndd[0] : 0; /* one digit, as validate.c compares it */
        return 1;
    } catch (...) {
        return 0;
    }
}
