# Generates <build>/include/leadimport/msgfmt.h from messages.def: one
#   #define LI_MSG_FMT_LI_MSG_<ID> "<French printf format>"
# per catalogue entry, so that li_error_set(), li_msg_format() and the other
# variadic functions taking an li_msg (macros, see error.h and msg.h) hand the
# format itself, as a literal, to a function declared
# __attribute__((format(printf, ...))): a wrong argument for a message is a
# build error. Run at configure time; messages.def is a configure dependency,
# so editing it regenerates the header.
function(li_generate_msgfmt def out)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${def})
  file(READ ${def} text)
  # CMake lists split on ";" and treat "[" "]" specially: hide them first.
  string(REPLACE ";" "@LI_SEMI@" text "${text}")
  string(REPLACE "[" "@LI_LBR@" text "${text}")
  string(REPLACE "]" "@LI_RBR@" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(body "/* Generated from include/leadimport/messages.def by cmake/msgfmt.cmake: do not edit. */\n")
  string(APPEND body "#ifndef LEADIMPORT_MSGFMT_H\n#define LEADIMPORT_MSGFMT_H\n")
  set(count 0)
  foreach(line IN LISTS lines)
    if(line MATCHES "^LI_MSG_X\\(([A-Z0-9_]+), *\"[a-z0-9_]+\", *LI_SEV_[A-Z]+, *(\".*\")\\)[ \t\r]*$")
      string(APPEND body "#define LI_MSG_FMT_LI_MSG_${CMAKE_MATCH_1} ${CMAKE_MATCH_2}\n")
      math(EXPR count "${count} + 1")
    elseif(line MATCHES "^LI_MSG_X\\(")
      message(FATAL_ERROR "messages.def: entry not on one line or not understood: ${line}")
    endif()
  endforeach()
  string(APPEND body "#endif\n")
  string(REPLACE "@LI_SEMI@" ";" body "${body}")
  string(REPLACE "@LI_LBR@" "[" body "${body}")
  string(REPLACE "@LI_RBR@" "]" body "${body}")
  if(count EQUAL 0)
    message(FATAL_ERROR "messages.def: no entry found")
  endif()
  # Written only when it changes: a configure run does not rebuild everything.
  set(tmp ${out}.tmp)
  file(WRITE ${tmp} "${body}")
  configure_file(${tmp} ${out} COPYONLY)
endfunction()
