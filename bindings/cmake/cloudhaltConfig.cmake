# CMake package config for cloudhalt: find_package(cloudhalt) gives the imported targets
#   cloudhalt::cloudhalt         the shared library libcloudhalt.so.0
#   cloudhalt::cloudhalt_static  the static library libcloudhalt.a (with its system libraries)
# Installed to PREFIX/lib/cmake/cloudhalt/ by scripts/install-c.sh; paths are relative to it,
# so an installed tree can be moved.
get_filename_component(_cloudhalt_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

if(NOT TARGET cloudhalt::cloudhalt)
  add_library(cloudhalt::cloudhalt SHARED IMPORTED)
  set_target_properties(cloudhalt::cloudhalt PROPERTIES
    IMPORTED_LOCATION "${_cloudhalt_prefix}/lib/libcloudhalt.so"
    IMPORTED_SONAME "libcloudhalt.so.0"
    INTERFACE_INCLUDE_DIRECTORIES "${_cloudhalt_prefix}/include")
endif()

if(NOT TARGET cloudhalt::cloudhalt_static)
  add_library(cloudhalt::cloudhalt_static STATIC IMPORTED)
  set_target_properties(cloudhalt::cloudhalt_static PROPERTIES
    IMPORTED_LOCATION "${_cloudhalt_prefix}/lib/libcloudhalt.a"
    INTERFACE_INCLUDE_DIRECTORIES "${_cloudhalt_prefix}/include"
    INTERFACE_LINK_LIBRARIES "pthread;dl;m;rt;util;gcc_s")
endif()

foreach(_cloudhalt_file IN ITEMS "${_cloudhalt_prefix}/lib/libcloudhalt.so"
                                 "${_cloudhalt_prefix}/include/cloudhalt.h")
  if(NOT EXISTS "${_cloudhalt_file}")
    set(cloudhalt_FOUND FALSE)
    set(cloudhalt_NOT_FOUND_MESSAGE "${_cloudhalt_file} is missing: reinstall with scripts/install-c.sh")
  endif()
endforeach()
unset(_cloudhalt_file)
unset(_cloudhalt_prefix)
