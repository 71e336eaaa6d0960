/** The UIDs and fixed values of the protocol (PS3.6 Annex A, PS3.7 Annex A, PS3.8 Annex A and D). */

/** PS3.7 Annex A.2.1: the one DICOM application context name. */
export const APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';
/** PS3.4 Annex A: Verification SOP Class, for C-ECHO. */
export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1';
/** PS3.4 C.6.2.1: Study Root Query/Retrieve Information Model - FIND, for C-FIND down to IMAGE level. */
export const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
/** PS3.4 Annex F: Media Storage Directory Storage (DICOMDIR), never sent over the network. */
export const DICOMDIR_SOP_CLASS = '1.2.840.10008.1.3.10';

export const IMPLICIT_VR_LE = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';
export const DEFLATED_EXPLICIT_VR_LE = '1.2.840.10008.1.2.1.99';
export const EXPLICIT_VR_BE = '1.2.840.10008.1.2.2';

/** Our implementation class UID (PS3.7 D.3.3.2), a UUID-derived UID under 2.25 (PS3.5 Annex B.2). */
export const IMPLEMENTATION_CLASS_UID = '2.25.259220326335910646202125983700345482804';
/** PS3.7 D.3.3.2.3: 1–16 characters. */
export const IMPLEMENTATION_VERSION = 'BEELDPOORT_0_1';
