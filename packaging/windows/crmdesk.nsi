; crmdesk's Windows installer: per user, no administrator rights, into
; %LOCALAPPDATA%\Programs\crmdesk. Built by `python packaging/build.py windows`, which runs:
;
;   makensis -WX -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DVERSION_NUMBERS=0.1.0.0
;            -DAPP_DIR=<dist\crmdesk> -DOUT_FILE=<setup.exe> -DICON=<crmdesk.ico>
;            [-DSIGN_COMMAND=<command>] packaging\windows\crmdesk.nsi
;
; Silent use: `crmdesk-<version>-setup.exe /S [/DESKTOP=0|1] [/AUTOSTART=0|1] [/D=<folder>]`;
; `uninstall.exe /S`. Without /AUTOSTART the "Start at login" choice stays as it was (ticked
; when the app's own setting is on); without /DESKTOP the desktop shortcut stays as it was
; (made on a first install).
;
; The customer book is never touched: it lives in %LOCALAPPDATA%\crmdesk (platformdirs'
; user_data_path("crmdesk", appauthor=False)), apart from the program files.

!ifndef VERSION
  !error "Give the version: -DVERSION=x.y.z"
!endif
!ifndef VERSION_NUMBERS
  !define VERSION_NUMBERS "${VERSION}.0"
!endif
!ifndef APP_DIR
  !error "Give the one-folder app to install: -DAPP_DIR=<dist\crmdesk>"
!endif
!ifndef OUT_FILE
  !define OUT_FILE "crmdesk-${VERSION}-setup.exe"
!endif

; Code signing: SIGN_COMMAND is run on the finished installer and on the uninstaller inside it,
; as `<command> "<file>"`, and must exit 0 (build.py takes it from $CRMDESK_SIGN_COMMAND).
!ifdef SIGN_COMMAND
  !finalize '${SIGN_COMMAND} "%1"' = 0
  !uninstfinalize '${SIGN_COMMAND} "%1"' = 0
!endif

Target amd64-unicode
SetCompressor /SOLID lzma
ManifestDPIAware true
RequestExecutionLevel user

!define APP_NAME "crmdesk"
!define PROGRAM "crmdesk.exe"
!define UNINSTALLER "uninstall.exe"
; The same value the app's "Start at login" setting writes (src/crmdesk/desktop/autostart.py).
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define RUN_VALUE "crmdesk"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\crmdesk"
!define DATA_DIR "$LOCALAPPDATA\crmdesk"

Name "${APP_NAME}"
OutFile "${OUT_FILE}"
InstallDir "$LOCALAPPDATA\Programs\crmdesk"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${APP_NAME} ${VERSION}"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "Sections.nsh"

; --- version information (the installer's Properties > Details) --------------------------------

VIProductVersion "${VERSION_NUMBERS}"
VIFileVersion "${VERSION_NUMBERS}"

; --- pages -------------------------------------------------------------------------------------

!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_NODESC

!define MUI_WELCOMEPAGE_TEXT "This puts crmdesk ${VERSION} on this computer for you; no administrator rights are needed.$\r$\n$\r$\nIf crmdesk is open, quit it first (right-click its icon beside the clock, then Quit).$\r$\n$\r$\nYour customer book is kept as it is when you update crmdesk or remove it.$\r$\n$\r$\nClick Next to continue."
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${PROGRAM}"
!define MUI_FINISHPAGE_RUN_TEXT "Open crmdesk now"
!insertmacro MUI_PAGE_FINISH

!define MUI_UNCONFIRMPAGE_TEXT_TOP "crmdesk will be removed from this folder. Your customer book is kept: it is in ${DATA_DIR}, which stays as it is."
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!define MUI_FINISHPAGE_TITLE "crmdesk was removed"
!define MUI_FINISHPAGE_TEXT "Your customer book was kept, in this folder:$\r$\n$\r$\n${DATA_DIR}$\r$\n$\r$\nInstall crmdesk again to open it, or delete the folder yourself if you no longer need it."
!insertmacro MUI_UNPAGE_FINISH

!insertmacro MUI_LANGUAGE "English"

VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileDescription" "${APP_NAME} ${VERSION} installer"
VIAddVersionKey /LANG=${LANG_ENGLISH} "CompanyName" "${APP_NAME}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "LegalCopyright" "${APP_NAME}"

; --- removing program files (upgrade and uninstall) ---------------------------------------------

; The program folder holds only what the installer put there: crmdesk.exe, its _internal
; folder and the uninstaller. The program goes first: Windows refuses to delete a running
; program, and then nothing else has been touched yet.
!macro REMOVE_PROGRAM_FILES
  retry_program:
    ClearErrors
    ${If} ${FileExists} "$INSTDIR\${PROGRAM}"
      Delete "$INSTDIR\${PROGRAM}"
      ${If} ${Errors}
        MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION \
          "crmdesk is still open. Quit it (right-click its icon beside the clock, then Quit) and click Retry." \
          /SD IDCANCEL IDRETRY retry_program
        Abort "crmdesk is still open; nothing was changed."
      ${EndIf}
    ${EndIf}
    RMDir /r "$INSTDIR\_internal"
    Delete "$INSTDIR\${UNINSTALLER}"
!macroend

; --- install -----------------------------------------------------------------------------------

Section "crmdesk (required)" SecApp
  SectionIn RO
  SetShellVarContext current
  ; Upgrade in place: the old version's files go first, so none of them lingers.
  !insertmacro REMOVE_PROGRAM_FILES
  SetOutPath "$INSTDIR"
  File /r "${APP_DIR}\*.*"
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"

  CreateShortcut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${PROGRAM}" "" "$INSTDIR\${PROGRAM}" 0

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${APP_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${PROGRAM}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" "$0"
  DetailPrint "Your customer book is kept in ${DATA_DIR}"
SectionEnd

Section "Desktop shortcut" SecDesktop
  SetShellVarContext current
  CreateShortcut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${PROGRAM}" "" "$INSTDIR\${PROGRAM}" 0
SectionEnd

Section /o "Start crmdesk when I log in (in the tray)" SecAutostart
  WriteRegStr HKCU "${RUN_KEY}" "${RUN_VALUE}" '"$INSTDIR\${PROGRAM}" --minimized'
SectionEnd

; Runs last: an option unticked now undoes what an earlier install (or the app) set.
Section "-unticked options"
  SetShellVarContext current
  ${IfNot} ${SectionIsSelected} ${SecDesktop}
    Delete "$DESKTOP\${APP_NAME}.lnk"
  ${EndIf}
  ${IfNot} ${SectionIsSelected} ${SecAutostart}
    DeleteRegValue HKCU "${RUN_KEY}" "${RUN_VALUE}"
  ${EndIf}
SectionEnd

; /NAME=1 ticks a section, /NAME=0 unticks it; no option leaves it as it is.
!macro OPTION_TO_SECTION OPTION SECTION
  ClearErrors
  ${GetOptions} $R0 "/${OPTION}=" $R1
  ${IfNot} ${Errors}
    ${If} $R1 == "1"
      !insertmacro SelectSection ${SECTION}
    ${Else}
      !insertmacro UnselectSection ${SECTION}
    ${EndIf}
  ${EndIf}
!macroend

Function .onInit
  SetShellVarContext current
  ; "Start at login" starts ticked when it is on already (set by the app or a former install).
  ClearErrors
  ReadRegStr $R1 HKCU "${RUN_KEY}" "${RUN_VALUE}"
  ${IfNot} ${Errors}
    !insertmacro SelectSection ${SecAutostart}
  ${EndIf}
  ; An upgrade keeps the user's choice about the desktop shortcut.
  ${If} ${FileExists} "$INSTDIR\${PROGRAM}"
  ${AndIfNot} ${FileExists} "$DESKTOP\${APP_NAME}.lnk"
    !insertmacro UnselectSection ${SecDesktop}
  ${EndIf}
  ${GetParameters} $R0
  !insertmacro OPTION_TO_SECTION "DESKTOP" ${SecDesktop}
  !insertmacro OPTION_TO_SECTION "AUTOSTART" ${SecAutostart}
FunctionEnd

; --- uninstall ---------------------------------------------------------------------------------

Section "Uninstall"
  SetShellVarContext current
  !insertmacro REMOVE_PROGRAM_FILES
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  Delete "$DESKTOP\${APP_NAME}.lnk"
  DeleteRegValue HKCU "${RUN_KEY}" "${RUN_VALUE}"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  ; The customer book stays: only the user removes it.
  DetailPrint "Your customer book was kept in ${DATA_DIR}"
SectionEnd
