// A C target needs one source file; everything ws-load uses is in the header.
#include "CEpoll.h"
