/* version.c - the build stamp pyrunc/native.py checks at import. */
#include "pyrunc.h"

#ifndef PYRUNC_VERSION
#error "PYRUNC_VERSION must be defined by the build"
#endif

int pyrunc_native_abi(void)
{
    return PYRUNC_NATIVE_ABI;
}

const char *pyrunc_native_version(void)
{
    return PYRUNC_VERSION;
}
